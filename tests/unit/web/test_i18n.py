"""The translation catalogues: complete, compiled, and really Kazakh and Russian."""

from __future__ import annotations

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from kzreg.web import i18n

KAZAKH_LETTERS = set("әғқңөұүі")  # һ occurs only in loanwords


def _po(lang):
    path = i18n.locale_dir() / lang / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as fh:
        return read_po(fh, locale=lang)


# The shell and these rooms are translated in full; the others' messages must at least be
# in the catalogues (English shows until they are translated).
TRANSLATED_AREAS = {"web", "escort", "risk", "assembly", "defense", "producers"}


@pytest.fixture(scope="module")
def code_messages():
    return i18n.code_messages()


@pytest.mark.parametrize("lang", list(i18n.LANGUAGES))
def test_every_marked_message_is_in_the_catalogue(lang, code_messages):
    ids = {i18n.message_key(m.id, m.context) for m in _po(lang) if m.id}
    missing = set(code_messages) - ids
    assert not missing, f"run `python -m kzreg.web.i18n extract`; new: {sorted(missing)}"


@pytest.mark.parametrize("lang", list(i18n.LANGUAGES))
def test_the_shell_and_translated_rooms_are_complete(lang, code_messages):
    untranslated = set(i18n.untranslated(lang))
    due = {m for m, areas in code_messages.items() if areas & TRANSLATED_AREAS}
    assert not sorted(due & untranslated)


def test_extraction_covers_the_rooms(code_messages):
    """Rooms' templates and Python, and the case types' titles, are scanned (the shell too)."""
    areas = set().union(*code_messages.values())
    assert TRANSLATED_AREAS <= areas
    assert "web" in code_messages["Dashboard"]
    assert "risk" in code_messages["Risk register"]                    # a room's template
    assert "risk" in code_messages["selected by its risk indicator"]   # a room's N_()
    assert "risk" in code_messages["Prohibition in force"]             # a case type's state
    assert "escort" in code_messages["Left the route corridor"]
    sources = {path.relative_to(i18n.package_dir()).parts[0] for _, path in i18n._sources()}
    assert {"web", "risk", "escort", "assembly", "platform"} <= sources
    assert not any("documents" in path.parts for _, path in i18n._sources()
                   if path.suffix == ".html")


def test_room_pages_speak_kazakh_and_russian():
    assert i18n.gettext("ru", "Risk register") == "Реестр степеней риска"
    assert i18n.gettext("kk", "Prohibition in force") == "Тыйым салу қолданыста"
    assert i18n.gettext("ru", "Escorts") == "Сопровождения"
    assert i18n.gettext("kk", "Agreement") == "Шарт"       # the assembly room's, merged


def test_defense_and_producers_speak_the_acts_terms():
    """The acts' own terms: Law 236-VI (state defense order), Law 86-VII (industrial policy)."""
    assert i18n.gettext("ru", "State defense orders") == "Государственные оборонные заказы"
    assert i18n.gettext("kk", "State defense orders") == "Мемлекеттік қорғаныстық тапсырыстар"
    assert i18n.gettext("ru", "Military representative office") == "Военное представительство"
    assert i18n.gettext("kk", "Military representative office") == "Әскери өкілдік"
    assert i18n.gettext("ru", "Register of Kazakhstani commodity producers") == (
        "Реестр отечественных товаропроизводителей")
    assert i18n.gettext("kk", "Counter-obligations") == "Қарсы міндеттемелер"


@pytest.mark.parametrize("lang", list(i18n.LANGUAGES))
def test_compiled_catalogue_matches_its_source(lang):
    mo_path = i18n.locale_dir() / lang / "LC_MESSAGES" / "messages.mo"
    with mo_path.open("rb") as fh:
        compiled = {i18n.message_key(m.id, _text(m.context)): m.string
                    for m in read_mo(fh) if m.id}
    source = {i18n.message_key(m.id, m.context): m.string for m in _po(lang)
              if m.id and m.string and not m.fuzzy}
    assert compiled == source, "run `python -m kzreg.web.i18n compile`"


def _text(context):
    """babel's `read_mo` leaves a context as bytes."""
    return context.decode() if isinstance(context, bytes) else context


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
            if "%(" in (message.id or "") and message.string:   # empty: English shows
                assert set(_names(message.id)) == set(_names(message.string)), message.id


def _names(text):
    import re

    return re.findall(r"%\((\w+)\)s", text)


def test_a_shared_word_reads_per_room_by_its_context(code_messages):
    """`pgettext`/`pN_` give one English word each room's own translation; both are
    extracted from the Python and the templates with their context."""
    assert "producers" in code_messages[i18n.message_key("other", "producers")]
    assert "defense" in code_messages[i18n.message_key("Subject", "defense")]
    assert "defense" in code_messages[i18n.message_key("unclassified", "secrecy")]
    assert i18n.pgettext("ru", "secrecy", "unclassified") == "несекретно"
    assert i18n.gettext("ru", "unclassified") == "не отнесён к степени"    # the risk room's
    label = i18n.labeller("kk", {0: i18n.pN_("secrecy", "unclassified"), 1: i18n.N_("secret")})
    assert (label(0), label(1), label("no label"), label(None)) == (
        "құпия емес", "құпия", "no label", "")
    assert i18n.pgettext_for("en")("defense", "Subject") == "Subject"
    assert i18n.translate("ru", i18n.pN_("defense", "Subject")) == "Предмет"


def test_unknown_language_falls_back_to_russian():
    assert i18n.gettext("de", "Dashboard") == "Рабочий стол"
