# Slide markers: a deck beside the page, references on and off the deck, broken markers.
project = "Slides"
extensions = ["myst_parser", "sphinxcontrib.bibtex", "sphinx_qmd_builder"]
myst_enable_extensions = ["colon_fence", "dollarmath", "amsmath", "html_image"]
bibtex_bibfiles = ["refs.bib"]
bibtex_reference_style = "author_year"
root_doc = "index"
numfig = True
exclude_patterns = ["_build"]
