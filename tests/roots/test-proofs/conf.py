project = "Proofs"
extensions = ["myst_parser", "sphinx_proof", "sphinx_exercise", "sphinx_qmd_builder"]
myst_enable_extensions = ["colon_fence", "dollarmath"]
numfig = True
