# Glue, eval and stray code cells without a kernel; API descriptions (tests/test_glue_api.py)
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
project = "Glue"
extensions = ["myst_nb", "sphinx.ext.autodoc", "sphinx.ext.autosummary", "sphinx_qmd_builder"]
nb_execution_mode = "off"
numfig = True
root_doc = "index"
show_warning_types = True  # Sphinx 7.4 does not show [qmd.glue] by default
