"""Process-wide memoisation of a third-party lookup that costs O(installed packages) a call.

pybtex (0.25+) finds its plugins (``plaintext`` backend, the formatting style, the label
and name styles) through ``importlib.metadata.entry_points(group=..., name=...)``, which
scans every installed distribution's metadata: ~10 ms a call. sphinxcontrib-bibtex asks
for the ``plaintext`` backend once per citation it resolves and for the styles per entry
it formats, so a book with 1,000 citations spent ~10 s in that scan (profiled: a quarter
of a 500-page build, in every builder, on every rebuild). The installed packages do not
change during a build; the answer is cached per (group, name) for the process. Plugins
registered at run time (``pybtex.plugin.register_plugin``) are looked up before the
entry points, as before, so they still win.
"""

from __future__ import annotations

import functools
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config


def cache_pybtex_plugin_lookup() -> bool:
    """Wrap ``pybtex.plugin.entry_points`` in a cache; False if pybtex is not there."""
    try:
        import pybtex.plugin as plugin
    except ImportError:
        return False
    lookup = plugin.entry_points
    if getattr(lookup, "qmd_cached", False):
        return True

    @functools.cache
    def cached(group: str, name: str) -> tuple[Any, ...]:
        return tuple(lookup(group=group, name=name))

    def entry_points(**params: Any) -> Any:
        if set(params) == {"group", "name"}:
            return cached(params["group"], params["name"])
        return lookup(**params)

    entry_points.qmd_cached = True
    plugin.entry_points = entry_points
    return True


def apply_speedups(app: Sphinx, config: Config) -> None:
    """``config-inited``: only when the book loads sphinxcontrib-bibtex."""
    if "sphinxcontrib.bibtex" in app.extensions:
        cache_pybtex_plugin_lookup()
