project = "Figures"
extensions = ["myst_parser", "sphinx_design", "sphinx_subfigure", "sphinxcontrib.youtube", "sphinxcontrib.video", "sphinx_qmd_builder"]
myst_enable_extensions = ["colon_fence"]
numfig = True
# an explicit dict: Sphinx's default one is shared between in-process test builds
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
