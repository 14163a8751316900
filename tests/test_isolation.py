"""core is a pure PyTorch library: importing all of it must not import streamlit."""

import importlib
import pkgutil
import subprocess
import sys

from tests.conftest import ROOT


def test_core_never_imports_streamlit():
    code = (
        "import importlib, pkgutil, sys, core\n"
        "for m in pkgutil.walk_packages(core.__path__, 'core.'):\n"
        "    importlib.import_module(m.name)\n"
        "assert 'streamlit' not in sys.modules, 'core imported streamlit'\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


def test_every_core_module_imports():
    import core

    for m in pkgutil.walk_packages(core.__path__, "core."):
        importlib.import_module(m.name)
