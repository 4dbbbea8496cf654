"""Atomic file output: a file is either the old or the new version, never half-written."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path


def write_text_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Write *text* to *path* through a temporary file and an atomic rename."""
    write_bytes_atomic(path, text.encode("utf-8"))


def write_text_if_changed(path: str | os.PathLike[str], text: str, durable: bool = True) -> bool:
    """Write *text* atomically unless *path* already holds exactly these bytes.

    An unchanged file keeps its mtime, so a rebuild that changes nothing touches nothing
    (Quarto's own incremental render and file watchers key on mtimes). True if written.
    *durable*: see :func:`write_bytes_atomic`.
    """
    data = text.encode("utf-8")
    target = Path(path)
    try:
        if target.stat().st_size == len(data) and target.read_bytes() == data:
            return False
    except OSError:
        pass  # missing or unreadable: write it
    write_bytes_atomic(target, data, durable)
    return True


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes, durable: bool = True) -> None:
    """Write *data* to *path* through a temporary file in the same folder, then rename.

    The rename alone makes the write atomic for a killed build. *durable* also syncs the
    data to disk before the rename (survives an OS crash); a page of the book, which the
    next build writes again anyway, skips it: one fsync per page is ~5 % of a large build.
    """
    target = Path(path)
    with _temporary_beside(target) as (fd, tmp):
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.replace(tmp, target)


def copy_file_atomic(source: str | os.PathLike[str], target: str | os.PathLike[str]) -> None:
    """Copy *source* to *target* atomically; skip the copy when the target is up to date."""
    src, dst = Path(source), Path(target)
    try:
        if dst.stat().st_mtime >= src.stat().st_mtime and dst.stat().st_size == src.stat().st_size:
            return
    except OSError:
        pass
    with _temporary_beside(dst) as (fd, tmp):
        os.close(fd)
        shutil.copyfile(src, tmp)
        shutil.copystat(src, tmp)
        os.replace(tmp, dst)


@contextlib.contextmanager
def _temporary_beside(target: Path) -> Iterator[tuple[int, str]]:
    """A temporary file in *target*'s folder (so the final rename is atomic); removed if
    the block fails or is interrupted, so the old *target* stays as it was."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        yield fd, tmp
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def remove_stale_temp_files(folder: str | os.PathLike[str]) -> None:
    """Remove temporary files a killed build left behind (``.name.XXXX.tmp``)."""
    root = Path(folder)
    if not root.is_dir():
        return
    for tmp in root.rglob(".*.tmp"):
        if tmp.is_file() and not tmp.is_symlink():
            try:
                tmp.unlink()
            except OSError:
                pass
