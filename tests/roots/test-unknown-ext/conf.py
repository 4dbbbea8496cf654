import os
import sys

sys.path.insert(0, os.path.abspath("."))

project = "Unknown nodes"
# the module name is unique across test roots: sys.modules is shared by in-process builds
extensions = ["myst_parser", "slice_mystery_ext", "sphinx_qmd_builder"]
show_warning_types = True  # Sphinx 7.4 does not show [qmd.unknown] by default
