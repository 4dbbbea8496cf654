# A small German book for the translation tests (see tests/test_translation.py).
project = "Übersetzungstest"
# myst_nb like the example project: mixing myst_parser and myst_nb apps in one process breaks
extensions = ["myst_nb", "sphinxcontrib.bibtex", "sphinx_qmd_builder"]
nb_execution_mode = "off"
myst_enable_extensions = ["colon_fence", "dollarmath", "amsmath", "html_image", "deflist"]
bibtex_bibfiles = ["refs.bib"]
numfig = True
root_doc = "index"
exclude_patterns = ["_build", "translations"]
qmd_translate = True
