project = "Prose"
extensions = ["myst_parser", "sphinx_book_theme", "sphinx_qmd_builder"]
myst_enable_extensions = ["colon_fence", "deflist", "tasklist", "substitution", "dollarmath"]
myst_substitutions = {"product": "Widget **Pro**", "version": "2.1"}
myst_heading_anchors = 2
# an explicit dict: Sphinx's default one is shared between in-process test builds
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
myst_dmath_double_inline = True
