# Tables in every form MyST and docutils offer, with captions, names, spans and alignment.
project = "Tables"
extensions = ["myst_parser", "sphinx_qmd_builder"]
myst_enable_extensions = ["colon_fence"]
numfig = True
root_doc = "index"
exclude_patterns = ["_build"]
