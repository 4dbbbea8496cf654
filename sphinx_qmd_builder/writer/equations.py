"""Display math that renders in both MathJax (HTML) and LaTeX (PDF).

Quarto puts ``$$ ... $$`` into ``\\[ ... \\]`` for LaTeX, where top-level environments
such as ``align`` are errors; their inner forms (``aligned``, ``gathered`` ...) work in
both outputs.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from docutils import nodes

from ..warning_types import QmdWarning

#: top-level amsmath environment -> the form allowed inside display math (None: unwrap)
INNER_FORM = {
    "equation": None,
    "equation*": None,
    "displaymath": None,
    "math": None,
    "align": "aligned",
    "align*": "aligned",
    "eqnarray": "aligned",
    "eqnarray*": "aligned",
    "flalign": "aligned",
    "flalign*": "aligned",
    "gather": "gathered",
    "gather*": "gathered",
    "multline": "gathered",
    "multline*": "gathered",
    "alignat": "alignedat",
    "alignat*": "alignedat",
    "xalignat": "alignedat",
}


_LABEL = re.compile(r"\\label\{([^{}]+)\}")


def math_labels(text: str) -> list[str]:
    """The ``\\label{...}`` names inside one math block's own text."""
    return _LABEL.findall(text)


def strip_label(text: str, label: str) -> str:
    """Remove ``\\label{label}``: Quarto's ``{#eq-...}`` labels the equation instead."""
    return text.replace(f"\\label{{{label}}}", "").strip("\n")


def split_environment(text: str) -> tuple[str, str, str] | None:
    """``(env, argument, body)`` when *text* is exactly one ``\\begin{env} ... \\end{env}``."""
    text = text.strip()
    if not text.startswith("\\begin{"):
        return None
    close = text.find("}")
    env = text[len("\\begin{") : close]
    end = f"\\end{{{env}}}"
    if not text.endswith(end):
        return None
    body = text[close + 1 : -len(end)]
    if f"\\begin{{{env}}}" in body:
        return None  # nested or several environments: not one environment
    argument = ""
    if env.startswith("alignat") and body.startswith("{"):
        argument, _, body = body[1:].partition("}")
        argument = "{" + argument + "}"
    return env, argument, body.strip("\n")


def quarto_math(text: str) -> str:
    """The body of a ``$$`` block for *text*, with top-level environments made inner."""
    parts = split_environment(text)
    if parts is None:
        return text.strip()
    env, argument, body = parts
    if env not in INNER_FORM:
        return text.strip()
    inner = INNER_FORM[env]
    if inner is None:
        return body.strip()
    return f"\\begin{{{inner}}}{argument}\n{body.strip()}\n\\end{{{inner}}}"


def braces_balanced(text: str) -> bool:
    depth = 0
    escaped = False
    for ch in text:
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


_ENVIRONMENT = re.compile(r"\\(begin|end)\s*\{([^{}]*)\}")


def unclosed_environments(text: str) -> list[str]:
    """The ``\\begin{name}`` environments of *text* that no ``\\end{name}`` closes."""
    stack: list[str] = []
    for kind, name in _ENVIRONMENT.findall(text):
        if kind == "begin":
            stack.append(name)
        elif name in stack:
            del stack[len(stack) - 1 - stack[::-1].index(name) :]
    return stack


def display_math(
    text: str,
    ident: str | None,
    node: nodes.Element,
    warn: Callable[..., Any],
) -> str:
    """A Quarto display-math block, labelled ``{#eq-...}`` when *ident* is given."""
    if not braces_balanced(text):
        warn("display math has unbalanced braces", node, QmdWarning.MATH)
    unclosed = unclosed_environments(text)
    if unclosed:
        warn(
            "display math has an unclosed environment (%s)",
            node,
            QmdWarning.MATH_ENVIRONMENT,
            unclosed[0],
        )
    body = quarto_math(text)
    block = f"$$\n{body}\n$$"
    return f"{block} {{#{ident}}}" if ident else block
