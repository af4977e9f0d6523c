"""Languages of the workplace: Kazakh, Russian, English, from gettext catalogues.

Sources are `locale/<lang>/LC_MESSAGES/messages.po`; the compiled `.mo` files sit beside
them in the package, so a plain `pip install` serves translations with no build step.
`python -m kzreg.web.i18n compile` rebuilds them (and `extract` refreshes the message
list from the code and templates of the workplace and every room); a test fails when a
`.mo` does not match its `.po` or a marked message is missing from the catalogues.

Which language a page speaks: the visitor's explicit choice (cookie `kzreg_lang`, set by
the switch in the header), else the signed-in user's profile, else `Accept-Language`,
else Russian (the language of interethnic communication; Constitution Art 7(2)).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from gettext import NullTranslations
from importlib import resources
from pathlib import Path
from typing import Any

from babel.support import Translations

LANGUAGES: dict[str, str] = {"kk": "Қазақша", "ru": "Русский", "en": "English"}
DEFAULT = "ru"
COOKIE = "kzreg_lang"
DOMAIN = "messages"


def locale_dir() -> Path:
    return Path(str(resources.files("kzreg.web") / "locale"))


@cache
def translations(language: str) -> NullTranslations:
    """The catalogue for `language`; English falls back to the message ids themselves."""
    if language not in LANGUAGES:
        language = DEFAULT
    found = Translations.load(str(locale_dir()), [language], DOMAIN)
    return found if isinstance(found, Translations) else NullTranslations()


def gettext(language: str, message: str) -> str:
    return translations(language).gettext(message)


def N_(message: str) -> str:  # noqa: N802  (the gettext convention)
    """Mark a message for extraction; it is translated where it is shown."""
    return message


class Contextual(str):
    """An English message that reads differently in different rooms ("other", "Subject"):
    it carries its gettext context (msgctxt), so each room has its own translation."""

    context: str

    def __new__(cls, context: str, message: str) -> Contextual:
        made = super().__new__(cls, message)
        made.context = context
        return made


def pN_(context: str, message: str) -> Contextual:  # noqa: N802  (the gettext convention)
    """Mark a message with its context for extraction; translated where it is shown."""
    return Contextual(context, message)


def pgettext(language: str, context: str, message: str) -> str:
    return translations(language).pgettext(context, message)


def translate(language: str, message: str) -> str:
    """A message in `language`, in its own context if it was marked with one (`pN_`)."""
    if isinstance(message, Contextual):
        return pgettext(language, message.context, message)
    return gettext(language, message)


def pgettext_for(language: str) -> Callable[..., str]:
    """`pgettext(context, message, **values)` for a page's templates (the `_` of a context)."""
    def contextual(context: str, message: str, **values: Any) -> str:
        text = pgettext(language, context, message)
        return text % values if values else text

    return contextual


def labeller(language: str, labels: Mapping[Any, str]) -> Callable[[Any], str]:
    """What a page shows for a code: its marked label translated (`label(c.state)`); a code
    without a label is looked up as a message itself, so it is never worse than the code."""
    def label(code: Any) -> str:
        if code is None or code == "":
            return ""
        return translate(language, labels.get(code, str(code)))

    return label


def parse_accept_language(header: str | None) -> str | None:
    """The best of our languages in an Accept-Language header, honouring q-values."""
    if not header:
        return None
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and quality > 0:
            ranked.append((-quality, index, primary))
    return min(ranked)[2] if ranked else None


def choose_language(cookie: str | None, profile: str | None,
                    accept_language: str | None) -> str:
    for candidate in (cookie, profile, parse_accept_language(accept_language)):
        if candidate in LANGUAGES:
            return candidate
    return DEFAULT


# --- catalogue maintenance (developers: python -m kzreg.web.i18n extract|compile) ---------
#
# One catalogue serves the workplace and every room: `extract` scans all of src/kzreg — the
# Python (`_()`, `N_()`, `gettext()`) and the page templates (`*.html` under any
# `templates/`), but not the documents' templates (`templates/documents/`), which are written
# in one language each. English is the source language: its catalogue copies the ids.

KEYWORDS = {"_": None, "N_": None, "gettext": None,
            "pgettext": ((1, "c"), 2), "pN_": ((1, "c"), 2)}


def message_key(message: str, context: str | None = None) -> str:
    """A message's key in a catalogue: `context\x04message` (gettext's own form) or the id."""
    return f"{context}\x04{message}" if context else message


def package_dir() -> Path:
    return Path(__file__).resolve().parent.parent


def _sources() -> Iterable[tuple[str, Path]]:
    root = package_dir()
    for path in sorted(root.rglob("*.py")):
        if "migrations" not in path.relative_to(root).parts:
            yield "python", path
    for path in sorted(root.rglob("templates/**/*.html")):
        if "documents" not in path.relative_to(root).parts:
            yield "jinja2", path


def area(path: Path) -> str:
    """The part of kzreg a source belongs to: "web" (the shell) or a room ("risk", ...)."""
    return path.relative_to(package_dir()).parts[0]


def code_messages() -> dict[str, set[str]]:
    """Every message marked in the code and templates, and every title of the registered
    case types (pages show them translated), with the areas using them; a message marked
    with a context is keyed `context\x04message` (`message_key`)."""
    from babel.messages.extract import extract_from_file

    found: dict[str, set[str]] = {}
    for _method, path, _line, message, _comments, context in _extracted(extract_from_file):
        found.setdefault(message_key(message, context), set()).add(area(path))
    for message, where in case_type_messages():
        found.setdefault(message, set()).add(where.split(".")[0])
    return found


def case_type_messages() -> list[tuple[str, str]]:
    """(title, case type) for the titles of every case type, its states, transitions and
    deadlines: declared in the rooms' workflow modules, shown through `_()` on pages."""
    from kzreg.platform.casetypes import load_case_types
    from kzreg.platform.plugins import ROOM_PACKAGES

    out = []
    for ct in load_case_types():
        if ct.name.split(".", 1)[0] not in ROOM_PACKAGES:
            continue    # a case type a test registered in this process, not the rooms'
        titles = [ct.title, *(s.title for s in ct.states), *(t.title for t in ct.transitions),
                  *(d.title for s in ct.states for d in s.deadlines)]
        out += [(title, ct.name) for title in titles if title]
    return out


def _extracted(extract_from_file):
    for method, path in _sources():
        options = {"extensions": "jinja2.ext.i18n"} if method == "jinja2" else {}
        func = "jinja2.ext:babel_extract" if method == "jinja2" else "python"
        for lineno, message, comments, context in extract_from_file(
                func, str(path), keywords=KEYWORDS, options=options):
            if isinstance(message, str) and message:
                yield method, path, lineno, message, comments, context


def extract() -> None:
    """Refresh every `.po` from the code: new messages added, vanished ones dropped."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_file
    from babel.messages.pofile import read_po, write_po

    template = Catalog(project="kzreg", domain=DOMAIN)
    root = package_dir()
    for _method, path, lineno, message, comments, context in _extracted(extract_from_file):
        template.add(message, None, [(path.relative_to(root).as_posix(), lineno)],
                     auto_comments=comments, context=context)
    for message, case_type in case_type_messages():
        template.add(message, None, [(f"casetypes/{case_type}", None)])
    for lang in LANGUAGES:
        po = locale_dir() / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
        po.parent.mkdir(parents=True, exist_ok=True)
        if po.exists():
            with po.open("rb") as fh:
                catalog = read_po(fh, locale=lang)
        else:
            catalog = Catalog(locale=lang, project="kzreg", domain=DOMAIN)
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        catalog.fuzzy = False
        if lang == "en":   # the source language: the id is the text
            for message in catalog:
                if message.id and not message.string:
                    message.string = message.id
        catalog.header_comment = (f"# {LANGUAGES[lang]}: messages of the kzreg web workplace "
                                  "and its rooms.\n# Refresh from the code: `python -m "
                                  "kzreg.web.i18n extract`; the .mo beside it: `python -m "
                                  "kzreg.web.i18n compile`.")
        catalog.last_translator = catalog.language_team = "kzreg"
        catalog.msgid_bugs_address = ""
        catalog.version = ""
        with po.open("wb") as fh:
            write_po(fh, catalog, width=100, omit_header=False, sort_output=False)


def compile_all() -> list[Path]:
    """Compile every `.po` to its `.mo`."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for po in sorted(locale_dir().glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        with po.open("rb") as fh:
            catalog = read_po(fh, locale=po.parent.parent.name)
        mo = po.with_suffix(".mo")
        with mo.open("wb") as fh:
            write_mo(fh, catalog, use_fuzzy=False)
        written.append(mo)
    translations.cache_clear()
    return written


def untranslated(language: str) -> list[str]:
    """Keys (`message_key`) of `language`'s messages without a translation (tests use it)."""
    from babel.messages.pofile import read_po

    po = locale_dir() / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=language)
    return [message_key(m.id, m.context) for m in catalog
            if m.id and (not m.string or m.fuzzy)]


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "extract":
        extract()
    elif command == "compile":
        for path in compile_all():
            print(path)
    else:
        print("usage: python -m kzreg.web.i18n extract|compile", file=sys.stderr)
        sys.exit(2)
