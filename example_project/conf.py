# A small Jupyter-Book-style Sphinx project: MyST pages, a MyST notebook, citations.
# `sphinx-build -b qmd example_project OUT` turns it into a Quarto book.
project = "Computer Vision mit Deep Learning"
author = "Example Course Team"
copyright = "2024, Example Course Team"

extensions = ["myst_nb", "sphinxcontrib.bibtex", "sphinx_qmd_builder"]
myst_enable_extensions = ["colon_fence", "dollarmath", "amsmath", "html_image", "substitution"]
bibtex_bibfiles = ["references.bib"]
bibtex_reference_style = "author_year"
nb_execution_mode = "off"
numfig = True
root_doc = "index"
exclude_patterns = ["_build", "README.md", "translations"]

# German -> English with DeepL; translations/EN-US/*.po is the reviewed memory, so the
# English book builds with no key and no request. intro and cnns are English already.
qmd_translate = True
qmd_translate_documents = ["index", "segmentation"]
# the book title comes from conf.py, not from a page, so it is set here in English
qmd_book_title = "Computer Vision with Deep Learning"
