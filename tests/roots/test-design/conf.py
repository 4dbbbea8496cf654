project = "Design"
extensions = ["myst_parser", "sphinx_design", "sphinx_qmd_builder"]
myst_enable_extensions = ["colon_fence"]
