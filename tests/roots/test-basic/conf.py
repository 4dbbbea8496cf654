project = "Basic"
author = "Test Author"
extensions = ["myst_parser", "sphinx_qmd_builder"]
myst_enable_extensions = ["colon_fence", "dollarmath", "amsmath"]
numfig = True
