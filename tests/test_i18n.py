"""Both languages have the same keys, and every registry entry is described in both."""

import importlib
import pkgutil
import string

import pytest

import core
from core.registry import Registry
from ui.i18n import LANGUAGES, locale_language, table
from ui.nav import PLANNED, available


def test_same_keys_in_every_language():
    zh, en = table("zh"), table("en")
    assert sorted(set(zh) - set(en)) == []
    assert sorted(set(en) - set(zh)) == []


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_no_empty_strings_and_same_placeholders(lang):
    other = table("en" if lang == "zh" else "zh")
    for key, text in table(lang).items():
        assert text.strip(), key
        fields = {f for _, f, _, _ in string.Formatter().parse(text) if f}
        other_fields = {f for _, f, _, _ in string.Formatter().parse(other[key]) if f}
        assert fields == other_fields, key


def registries():
    found = []
    for m in pkgutil.walk_packages(core.__path__, "core."):
        module = importlib.import_module(m.name)
        for value in vars(module).values():
            if isinstance(value, Registry) and value not in found:
                found.append(value)
    return found


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_every_registry_entry_has_title_description_and_param_labels(lang):
    keys = table(lang)
    missing = []
    for reg in registries():
        for entry in reg:
            for suffix in ("title", "desc"):
                if f"{reg.family}.{entry.name}.{suffix}" not in keys:
                    missing.append(f"{reg.family}.{entry.name}.{suffix}")
            for p in entry.params:
                if f"{reg.family}.params.{p.name}" not in keys:
                    missing.append(f"{reg.family}.params.{p.name}")
    assert not missing, missing


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_every_page_has_title_and_blurb(lang):
    keys = table(lang)
    for page in PLANNED:
        assert f"nav.{page.name}.title" in keys
        assert f"nav.{page.name}.blurb" in keys
        for chapter in page.chapters:
            assert f"nav.chapters.{chapter}" in keys
    assert available(), "no page exists"


def test_locale_language():
    assert locale_language("en-US") == "en"
    assert locale_language("zh-CN") == "zh"
    assert locale_language("fr-FR") == "zh"
    assert locale_language(None) == "zh"
