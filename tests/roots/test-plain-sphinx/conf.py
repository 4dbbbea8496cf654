# conf.py does NOT list sphinx_qmd_builder: `-b qmd` must find it through its entry point
project = "Plain Sphinx"
extensions = ["myst_parser"]
