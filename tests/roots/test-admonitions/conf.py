project = "Admonitions"
extensions = ["myst_parser", "sphinx_togglebutton", "sphinx_design", "sphinx_qmd_builder"]
myst_enable_extensions = ["colon_fence", "html_admonition"]
