# A reference to a label that does not exist: the integrity report must name it.
project = "Broken"
extensions = ["myst_parser", "sphinx_qmd_builder"]
root_doc = "index"
exclude_patterns = ["_build"]
