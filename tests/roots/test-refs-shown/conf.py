project = "Refs shown"
extensions = ["myst_parser", "sphinx_design", "sphinx_proof", "sphinx_qmd_builder"]
myst_enable_extensions = ["colon_fence", "dollarmath"]
numfig = True
# an explicit dict: Sphinx's default one is shared between in-process test builds
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
