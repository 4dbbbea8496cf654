# sphinx-proof and sphinx-exercise targets: Quarto's theorem family of ids.
project = "Proofs"
extensions = ["myst_parser", "sphinx_proof", "sphinx_exercise", "sphinx_qmd_builder"]
myst_enable_extensions = ["colon_fence"]
numfig = True
root_doc = "index"
exclude_patterns = ["_build"]
