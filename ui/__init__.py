"""Streamlit helpers: the only place that knows both Streamlit and core.

Importing this package also fixes one start-up quirk. Streamlit treats a folder named
``pages/`` beside the main script as a v1 multipage app until the main script has called
``st.navigation`` once in the server's life. So on a freshly started server the first
visitor of a deep link (``/digits``) would get that page run alone, without app.py's
router and sidebar. Every page imports ``ui``; when that first import happens in v1 mode
we switch the process to v2 and rerun, so app.py routes the request as usual.
"""

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

if PagesManager.uses_pages_directory and st.runtime.exists():
    PagesManager.uses_pages_directory = False
    st.rerun()
