"""The translation catalogues: complete, compiled, and really Kazakh and Russian."""

from __future__ import annotations

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from kzreg.web import i18n

KAZAKH_LETTERS = set("әғқңөұүі")  # һ occurs only in loanwords


def _po(lang):
    path = i18n.locale_dir() / lang / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as fh:
        return read_po(fh, locale=lang)


def _code_messages() -> set[str]:
    found = set()
    for method, path in i18n._sources():
        func = "jinja2.ext:babel_extract" if method == "jinja2" else "python"
        options = {"extensions": "jinja2.ext.i18n"} if method == "jinja2" else {}
        for _line, message, _comments, _context in extract_from_file(
                func, str(path), keywords={"_": None, "N_": None, "gettext": None},
                options=options):
            found.add(message)
    return found


@pytest.mark.parametrize("lang", list(i18n.LANGUAGES))
def test_every_message_of_the_shell_is_translated(lang):
    assert i18n.untranslated(lang) == []
    ids = {m.id for m in _po(lang) if m.id}
    missing = _code_messages() - ids
    assert not missing, f"run `python -m kzreg.web.i18n extract`; new: {sorted(missing)}"


@pytest.mark.parametrize("lang", list(i18n.LANGUAGES))
def test_compiled_catalogue_matches_its_source(lang):
    mo_path = i18n.locale_dir() / lang / "LC_MESSAGES" / "messages.mo"
    with mo_path.open("rb") as fh:
        compiled = {m.id: m.string for m in read_mo(fh) if m.id}
    source = {m.id: m.string for m in _po(lang) if m.id and m.string and not m.fuzzy}
    assert compiled == source, "run `python -m kzreg.web.i18n compile`"


def test_kazakh_uses_kazakh_letters_and_russian_is_cyrillic():
    kk = " ".join(m.string for m in _po("kk") if m.id)
    assert KAZAKH_LETTERS <= set(kk.lower()), "Kazakh text with its own letters"
    assert i18n.gettext("kk", "Dashboard") == "Жұмыс үстелі"
    assert i18n.gettext("ru", "Dashboard") == "Рабочий стол"
    assert i18n.gettext("en", "Dashboard") == "Dashboard"
    for message in _po("ru"):
        if message.id and any(c.isalpha() for c in message.string.replace("API", "")):
            assert any("а" <= c.lower() <= "я" for c in message.string), message.id


def test_placeholders_survive_translation():
    for lang in i18n.LANGUAGES:
        for message in _po(lang):
            if "%(" in (message.id or ""):
                assert set(_names(message.id)) == set(_names(message.string)), message.id


def _names(text):
    import re

    return re.findall(r"%\((\w+)\)s", text)


def test_unknown_language_falls_back_to_russian():
    assert i18n.gettext("de", "Dashboard") == "Рабочий стол"
