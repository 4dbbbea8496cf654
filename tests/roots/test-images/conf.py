project = "Images"
extensions = ["myst_parser", "sphinx_design", "sphinxcontrib.youtube", "sphinx_qmd_builder"]
myst_enable_extensions = ["colon_fence", "html_image"]
numfig = True
# an explicit dict: Sphinx's default one is shared between in-process test builds
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
