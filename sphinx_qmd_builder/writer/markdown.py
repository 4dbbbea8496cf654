"""Pure helpers for writing pandoc/Quarto markdown: escaping, fences, attributes."""

from __future__ import annotations

import re

from docutils import nodes

# characters that pandoc markdown may read as syntax anywhere in running text
_ALWAYS = {"\\", "`", "*", "[", "]", "$", "@", "|"}
_LINE_START_BLOCK = re.compile(
    # a lone ":" too: after a paragraph, pandoc reads it as a definition list
    r"^(\s*)(#|%|>|:::|:(?=\s|$)|[-+*](?=\s|$)"
    # ordered-list markers, pandoc's fancy_lists included: 1. 2) (3) a. b) (c) iv. #. (@)
    r"|\(?(?:\d+|[a-zA-Z]|[ivxlcdmIVXLCDM]+|#|@[\w-]*)[.)](?=\s|$)"
    r"|=+\s*$|-+\s*$)"
)
#: an HTML entity pandoc would decode: ``&amp;``, ``&#169;``, ``&#xA9;``
_ENTITY = re.compile(r"&(?:#\d+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")


#: the characters :func:`escape_text` may change; every other one is copied as it is
_SPECIAL = re.compile(r"[\\`*\[\]$@|\"_<{~^\-'&]")


def escape_text(text: str) -> str:
    """Escape *text* so that pandoc reads it back as the same characters.

    Only the characters of ``_SPECIAL`` are looked at (with their neighbours); the runs
    between them are copied whole: prose is mostly plain letters, and a loop over every
    character was a third of the writer's time.
    """
    out: list[str] = []
    n = len(text)
    # per quote character: one after a space opened a smart-quoted span pandoc may close
    opened = {'"': False, "'": False}
    done = 0  # text[:done] is in out
    for match in _SPECIAL.finditer(text):
        i, ch = match.start(), match.group()
        out.append(text[done:i])
        done = i + 1
        if ch in opened:
            after_space = (text[i - 1] if i else " ").isspace()
            before_space = (text[i + 1] if i + 1 < n else " ").isspace()
            if after_space and (opened[ch] or before_space):
                # pandoc would close a smart-quoted span here and drop the space before
                # it ('"a "a' -> '"a"a', "'a '." -> "'a'."); escaped, it stays a quote
                out.append("\\" + ch)
                continue
            opened[ch] = after_space
            out.append(ch)
            continue
        if ch in _ALWAYS:
            out.append("\\" + ch)
        elif ch == "_":
            prev = text[i - 1] if i else " "
            nxt = text[i + 1] if i + 1 < n else " "
            # intraword underscores are literal in pandoc; only word edges open emphasis
            out.append("_" if prev.isalnum() and nxt.isalnum() else "\\_")
        elif ch == "<" and i + 1 < n and (text[i + 1].isalpha() or text[i + 1] in "/!?"):
            out.append("\\<")
        elif ch == "{" and text.startswith("{{<", i):
            out.append("\\{")
        elif ch == "~" or ch == "^":
            out.append("\\" + ch)
        elif ch == "-" and i + 1 < n and text[i + 1] == "-":
            # pandoc's smart extension would make "--" a dash ("--flag" -> "–flag")
            out.append("\\-")
        elif ch == "&" and _ENTITY.match(text, i):
            out.append("\\&")
        else:
            out.append(ch)
    out.append(text[done:])
    return "".join(out)


def escape_line_starts(text: str) -> str:
    """Escape what would open a block (heading, list, quote, div) at the start of a line."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        match = _LINE_START_BLOCK.match(line)
        if match:
            indent, token = match.group(1), match.group(2)
            rest = line[len(indent) + len(token) :]
            if token.startswith("("):
                lines[i] = indent + "\\" + token + rest
            elif token[-1] in ".)" and token[:1] not in "-+*":
                # "1." -> "1\." (a backslash before a digit would stay in the text)
                lines[i] = indent + token[:-1] + "\\" + token[-1] + rest
            else:
                lines[i] = indent + "\\" + token + rest
    return "\n".join(lines)


def inline_code(text: str) -> str:
    """`code` with enough backticks to hold any backticks inside."""
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def code_fence(text: str, minimum: int = 3) -> str:
    """A backtick fence longer than any backtick run at a line start inside *text*."""
    longest = max((len(m) for m in re.findall(r"^\s*(`{3,})", text, re.M)), default=0)
    return "`" * max(minimum, longest + 1)


def class_names(classes: str | list[str] | tuple[str, ...]) -> list[str]:
    """Class names pandoc reads in ``{.a .b}``: one per word, in order, each once.

    ``"a b"`` or ``[".a", "b"]`` -> ``["a", "b"]``. A name must start with a letter and
    hold only letters, digits, ``-_:.`` (else pandoc drops the whole attribute block);
    other characters become ``-``, and a name that cannot start with a letter is left out.
    """
    words = classes.split() if isinstance(classes, str) else [w for c in classes for w in c.split()]
    names: list[str] = []
    for word in words:
        name = "".join(ch if ch.isalnum() or ch in "-_:." else "-" for ch in word.lstrip("."))
        if name and name[0].isalpha() and name not in names:
            names.append(name)
    return names


def cell_classes(classes: str | list[str] | tuple[str, ...]) -> str:
    """The value of a cell's ``#| classes:``: one string, a dot before every class.

    Quarto copies it into ``::: {.cell ...}``; bare words there break the div and a YAML
    list fails validation (QUARTO.md fact 4), so ``shadow bg-primary`` -> ``.shadow .bg-primary``.
    """
    return " ".join(f".{name}" for name in class_names(classes))


def attributes(
    ident: str | None = None, classes: list[str] | tuple[str, ...] = (), **kv: object
) -> str:
    """A pandoc attribute block: ``{#id .class key="value"}`` (empty string when empty).

    Every class gets its dot and every value its key (QUARTO.md fact 4).
    """
    parts: list[str] = []
    if ident:
        parts.append(f"#{ident}")
    parts.extend(f".{c}" for c in class_names(classes))
    for key, value in kv.items():
        if value is None:
            continue
        key = key.replace("_", "-")
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            parts.append(f"{key}={value}")
        else:
            sval = str(value).replace("\\", "\\\\").replace('"', '\\"')
            parts.append(f'{key}="{sval}"')
    return "{" + " ".join(parts) + "}" if parts else ""


def comment_text(text: str) -> str:
    """*text* made safe inside ``<!-- ... -->``: it cannot end the comment early, and no
    line of it reads as a code fence.

    A run of hyphens is spaced out (``--->`` -> ``- - ->``): with no ``--`` left, neither
    ``-->`` nor ``--!>`` can occur. A line starting with a fence (a commented-out directive)
    gets its fence spaced out the same way, as Quarto's scan for code cells would read it
    even inside a comment (QUARTO.md 16). The comment is not rendered: only its
    boundaries matter, not the exact characters.
    """
    text = re.sub(r"-(?=-)", "- ", text)
    return "\n".join(_break_fence(line) for line in text.split("\n"))


def _break_fence(line: str) -> str:
    body = line.lstrip()
    match = re.match(r"`{3,}|~{3,}", body)
    if match is None:
        return line
    run = match.group(0)
    return line[: len(line) - len(body)] + " ".join(run) + body[len(run) :]


def inside_bold(node: nodes.Node) -> bool:
    """Whether the writer already sets *node* (a strong) in bold: inside another strong,
    a rubric, or the title of an admonition, topic, card or proof (written ``**Title**``
    or as a ``##`` heading). Section and table titles are not bolded by the writer.
    """
    parent = node.parent
    while isinstance(parent, nodes.Inline):
        if isinstance(parent, nodes.strong) or parent.tagname == "literal_strong":
            return True
        parent = parent.parent
    if isinstance(parent, nodes.rubric):
        return True
    if isinstance(parent, nodes.title):
        return not isinstance(parent.parent, (nodes.section, nodes.table, nodes.document))
    return False
