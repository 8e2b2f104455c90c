"""Sphinx configuration of the documentation site (``make docs``). Sphinx reads a source folder
that ``oss_analysis.review.docs`` assembles under build/docs-src/ from these pages, the executed
notebooks of the last build (rendered as they are: MyST-NB never executes them) and pages it
generates from the data (gallery, catalogue, errata, cross-check, benchmark, country runs)."""

project = "oss_analysis"
author = "oss_analysis contributors"
copyright = "oss_analysis contributors; code MIT, data and figures CC BY 4.0"

extensions = ["myst_nb"]

# the notebooks were executed by the build (papermill); the site shows their stored outputs
nb_execution_mode = "off"
nb_merge_streams = True
# no widgets in these notebooks: keep MyST-NB from adding its require.js and widget scripts (CDN)
nb_ipywidgets_js = {}
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3
suppress_warnings = ["myst.header", "mystnb.unknown_mime_type"]

exclude_patterns = ["_extra", "generated", "catalogue.csv"]
root_doc = "index"
# shell commands and output in plain ``` blocks are not Python
highlight_language = "none"

html_theme = "sphinx_book_theme"
html_title = "oss_analysis"
html_static_path = ["_static"]
html_css_files = ["gallery.css"]
# every figure, data file and country folder, copied as they are (links resolve to real files)
html_extra_path = ["_extra"]
html_copy_source = False
html_show_sourcelink = False
html_last_updated_fmt = None
html_theme_options = {
    # nothing that reaches out: no repository, launch or download buttons, no analytics
    "use_download_button": False,
    "use_fullscreen_button": True,
    "use_repository_button": False,
    "show_toc_level": 2,
    "navigation_with_keys": False,
}
