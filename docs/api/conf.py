"""Sphinx configuration of regioncount's API reference (``tox -e docs``).

Built from the installed package's numpydoc docstrings with autodoc and numpydoc; warnings are
errors (``sphinx-build -W``). No network access is needed (no intersphinx).
"""

import regioncount

project = "regioncount"
author = "the regioncount authors"
copyright = "the regioncount authors"
release = regioncount.__version__
version = release

extensions = ["sphinx.ext.autodoc", "numpydoc"]

root_doc = "index"
exclude_patterns = ["_build"]
templates_path = []
html_static_path = []
html_theme = "alabaster"

autodoc_default_options = {"member-order": "bysource"}
autodoc_typehints = "none"          # the numpydoc Parameters sections carry the types
autodoc_inherit_docstrings = False
add_module_names = False

numpydoc_show_class_members = False  # members are listed by autodoc, once
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
