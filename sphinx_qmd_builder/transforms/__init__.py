"""Doctree edits made before the writer runs.

:mod:`.read` runs while a source is read; :mod:`.references` and :mod:`.constructs` are
post-transforms for the ``qmd`` format only (resolved references, then constructs
normalised to the nodes the writer knows, declared in :mod:`.nodes`).
"""
