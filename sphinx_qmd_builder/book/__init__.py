"""The Quarto book around the pages: ``_quarto.yml``, notebooks, bibliography files,
the Jupyter Book configuration, and the end-of-build reference report."""
