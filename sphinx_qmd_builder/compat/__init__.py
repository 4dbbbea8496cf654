"""The few places where Sphinx 7.4 and Sphinx 9 differ for us."""

from __future__ import annotations

from typing import Any


def app_of(owner: Any) -> Any:
    """The Sphinx application of a builder or environment.

    Sphinx 9 keeps it as ``_app`` and deprecates ``.app`` (a warning on every access);
    Sphinx 7.4 only has ``.app``.
    """
    return getattr(owner, "_app", None) or owner.app
