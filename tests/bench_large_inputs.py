"""Timing of large inputs (a script, not a test): is the build linear in the input size?

    python tests/bench_large_inputs.py [page line list-table pipe-table nested notebook]

Each input is built at three sizes (the largest is the issue's: a 2 MB page, a 1 MB line,
a 300x20 table, 30 nested admonitions, a notebook with a 3 MB image output). ``TM=1`` also
records peak traced memory (slows the build down a lot).
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent.parent))

from helpers import build_qmd  # noqa: E402
from robust_helpers import BASE_CONF  # noqa: E402

TM = bool(os.environ.get("TM"))
END = "END-MARKER"


def page(n_bytes: int) -> str:
    para = (
        "Some *emphasis* and `code` with $x^2$ math, a [link](https://example.org) "
        "and 50$ @handle.\n\n"
    )
    return "# Big\n\n" + para * (n_bytes // len(para)) + END + "\n"


def line(n_bytes: int) -> str:
    chunk = "word *em* `c` $x$ "
    return "# Line\n\n" + chunk * (n_bytes // len(chunk)) + END + "\n"


def list_table(rows: int, cols: int = 20) -> str:
    body = "\n".join("* " + "\n  ".join(f"- r{r}c{c}" for c in range(cols)) for r in range(rows))
    return f"# Table\n\n```{{list-table}} T\n:header-rows: 1\n\n{body}\n```\n\n{END}\n"


def pipe_table(rows: int, cols: int = 20) -> str:
    head = "|" + "|".join(f"h{c}" for c in range(cols)) + "|\n"
    rule = "|" + "|".join("---" for _ in range(cols)) + "|\n"
    body = "".join("|" + "|".join(f"r{r}c{c}" for c in range(cols)) + "|\n" for r in range(rows))
    return f"# Pipe\n\n{head}{rule}{body}\n{END}\n"


def nested(depth: int) -> str:
    opening = "".join(f"{':' * (depth + 3 - i)}{{note}}\nLevel {i}\n\n" for i in range(depth))
    closing = "".join(f"{':' * (4 + i)}\n" for i in range(depth))
    return f"# Nested\n\n{opening}{closing}\n{END}\n"


def notebook(n_bytes: int) -> str:
    png = base64.b64encode(os.urandom(n_bytes * 3 // 4)).decode()
    output = {
        "output_type": "display_data",
        "metadata": {},
        "data": {"image/png": png, "text/plain": "<Figure>"},
    }
    cells = [
        {"cell_type": "markdown", "id": "m", "metadata": {}, "source": "# Notebook"},
        {
            "cell_type": "code",
            "id": "c",
            "metadata": {},
            "execution_count": 1,
            "source": "plot()",
            "outputs": [output],
        },
        {"cell_type": "markdown", "id": "e", "metadata": {}, "source": END},
    ]
    kernel = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return json.dumps(
        {"cells": cells, "metadata": {"kernelspec": kernel}, "nbformat": 4, "nbformat_minor": 5}
    )


CASES = {
    "page": (page, [500_000, 1_000_000, 2_000_000], "md"),
    "line": (line, [250_000, 500_000, 1_000_000], "md"),
    "list-table": (list_table, [75, 150, 300], "md"),
    "pipe-table": (pipe_table, [75, 150, 300], "md"),
    "nested": (nested, [10, 20, 30], "md"),
    "notebook": (notebook, [750_000, 1_500_000, 3_000_000], "ipynb"),
}


def main(names: list[str]) -> None:
    for name in names or list(CASES):
        make, sizes, suffix = CASES[name]
        for size in sizes:
            base = Path(tempfile.mkdtemp())
            src = base / "src"
            src.mkdir()
            (src / "conf.py").write_text(BASE_CONF, encoding="utf-8")
            (src / "index.md").write_text("# I\n\n```{toctree}\nbig\n```\n", encoding="utf-8")
            text = make(size)
            (src / f"big.{suffix}").write_text(text, encoding="utf-8")
            if TM:
                tracemalloc.start()
            start = time.perf_counter()
            result = build_qmd(src, base / "out")
            seconds = time.perf_counter() - start
            peak = tracemalloc.get_traced_memory()[1] / 1e6 if TM else 0.0
            if TM:
                tracemalloc.stop()
            out = (base / "out" / "big.qmd").read_text(encoding="utf-8")
            print(
                f"{name:10} size={size:>9} source={len(text):>9}B time={seconds:6.2f}s "
                f"peak={peak:6.1f}MB output={len(out):>9}B end-kept={END in out} "
                f"traceback={'Traceback' in result.warnings}",
                flush=True,
            )
            shutil.rmtree(base)


if __name__ == "__main__":
    main(sys.argv[1:])
