import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
project = "Unknown"
extensions = ["myst_parser", "mystery_ext", "sphinx_qmd_builder"]
# an explicit dict: Sphinx's default one is shared between in-process test builds
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
