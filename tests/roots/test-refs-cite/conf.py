# Every sphinxcontrib-bibtex citation role, footcite, and a bibliography page.
project = "Cite"
extensions = ["myst_parser", "sphinxcontrib.bibtex", "sphinx_qmd_builder"]
bibtex_bibfiles = ["refs.bib"]
bibtex_reference_style = "author_year"
root_doc = "index"
exclude_patterns = ["_build"]
