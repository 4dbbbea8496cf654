project = "Missing image"
extensions = ["myst_parser", "sphinx_qmd_builder"]
myst_enable_extensions = ["colon_fence", "html_image"]
