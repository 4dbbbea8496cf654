# Every label syntax MyST allows, and every cross-reference role pointing at them.
project = "Refs"
extensions = ["myst_parser", "sphinx_qmd_builder"]
myst_enable_extensions = ["colon_fence", "dollarmath", "amsmath"]
numfig = True
root_doc = "index"
exclude_patterns = ["_build"]
