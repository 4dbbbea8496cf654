project = "Admonitions"
extensions = ["myst_parser", "sphinx_togglebutton", "sphinx_design", "sphinx_qmd_builder"]
myst_enable_extensions = ["colon_fence", "html_admonition"]
# an explicit dict: Sphinx's default one is shared between in-process test builds
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
