"""Case documents: letters, notices, acts, extracts — rendered once, kept as made.

`render_document()` renders a Jinja2 template to HTML and, with WeasyPrint, to an A4 PDF,
and stores both with what they were made from: the data snapshot (JSON, and the document
is rendered *from that snapshot*, so the record is exactly what the text shows), the
template's name and SHA-256 (over the template, the templates it extends or includes, and
the stylesheet), and `data_version()` — the kzreg version plus a hash of the rule data.
A document is never changed: a new version is a new row that `supersedes` the old one.

The PDF is stored in the database (`documents.pdf`), not in the data directory: the row
and its file then commit or roll back together, backups of the database are complete,
several web nodes on one PostgreSQL need no shared disk, and documents are small (tens of
kilobytes). Its SHA-256 is stored beside it, so any later change is detectable.

Kazakh and Russian text needs fonts that have Ә Ғ Қ Ң Ө Ұ Ү Һ І: the stylesheet names
DejaVu Serif/Sans first (Debian's fonts-dejavu-core, installed by scripts/setup-system.sh),
then Noto and Liberation as fallbacks.

Templates: a bare name ("notice.html") is one of the platform's, in
`kzreg/platform/templates/documents/`; "room/name.html" is a room's, in
`kzreg/<room>/templates/documents/name.html`, and may `{% extends "base.html" %}`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import uuid
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

import jinja2
import jinja2.meta
from markupsafe import Markup
from sqlalchemy import JSON, ForeignKey, Integer, LargeBinary, String, Text, event, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from kzreg.law.citations import Citation
from kzreg.law.errors import Conflict, Forbidden, InputError, NotFound
from kzreg.law.explain import jsonable
from kzreg.platform.actors import Actor
from kzreg.platform.db import Base, UtcDateTime

LANGUAGES = ("kk", "ru", "en")
STYLESHEET = "document.css"
_NAME = re.compile(r"^(?:[a-z][a-z0-9_]*/)?[a-z0-9][a-z0-9_.-]*\.(?:html|css)$")
_DATA_SUFFIXES = (".yaml", ".yml", ".json", ".csv")


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# --- the table ----------------------------------------------------------------------------

class Document(Base):
    """A rendered document, immutable once stored."""

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(32), unique=True)   # printed on every page
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(300))
    number: Mapped[str | None] = mapped_column(String(60))      # the registry number, if any
    language: Mapped[str] = mapped_column(String(2))
    template: Mapped[str] = mapped_column(String(200))
    template_sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)          # the snapshot it was made from
    rules_version: Mapped[str] = mapped_column(String(80))      # data_version() when made
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by: Mapped[str] = mapped_column(String(150))
    created_by_role: Mapped[str] = mapped_column(String(40))
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)
    html: Mapped[str] = mapped_column(Text)
    pdf: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    pdf_size: Mapped[int] = mapped_column(Integer)

    def __repr__(self) -> str:
        return f"Document({self.id}, {self.kind!r}, case={self.case_id}, v{self.version})"


@event.listens_for(Session, "before_flush")
def _documents_are_immutable(session: Session, _context, _instances) -> None:
    for obj in session.deleted:
        if isinstance(obj, Document):
            raise Conflict("a document is never deleted", field="document")
    for obj in session.dirty:
        if isinstance(obj, Document) and session.is_modified(obj, include_collections=False):
            raise Conflict("a document is never changed; render a new version",
                           field="document")


# --- versions -----------------------------------------------------------------------------

def _sha256(data: bytes | str) -> str:
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


@cache
def data_tree_sha256() -> str:
    """SHA-256 over the rule data shipped with kzreg: every YAML/JSON/CSV file in the package
    (the acts registry, parameters, settings, the rooms' tables), by relative path."""
    root = resources.files("kzreg")
    digest = hashlib.sha256()
    files = sorted(p for p in _walk(root) if p[0].endswith(_DATA_SUFFIXES))
    for rel, item in files:
        digest.update(rel.encode("utf-8") + b"\0" + item.read_bytes() + b"\0")
    return digest.hexdigest()


def _walk(node, prefix: str = ""):
    for child in node.iterdir():
        rel = f"{prefix}{child.name}"
        if child.is_dir():
            if child.name not in ("__pycache__", "templates", "static", "locale"):
                yield from _walk(child, rel + "/")
        else:
            yield rel, child


def data_version() -> str:
    """The rules and data version a result was made with: '0.1.0+data.3f9a1c2b4d5e'."""
    from kzreg import __version__

    return f"{__version__}+data.{data_tree_sha256()[:12]}"


# --- templates ----------------------------------------------------------------------------

def _template_path(name: str):
    if not _NAME.match(name):
        raise InputError(f"{name!r} is not a template name like 'notice.html' or "
                         "'room/letter.html'", field="template")
    room, _, file = name.rpartition("/")
    package = f"kzreg.{room}" if room else "kzreg.platform"
    try:
        return resources.files(package) / "templates" / "documents" / file
    except ModuleNotFoundError:
        raise NotFound(f"no room {room!r} for template {name!r}", field="template") from None


def _load(name: str) -> str | None:
    path = _template_path(name)
    return path.read_text(encoding="utf-8") if path.is_file() else None


# --- formatting, per language -------------------------------------------------------------

LABELS: dict[str, dict[str, Any]] = {
    "kk": {"number": "№", "date": "Күні", "basis": "Негіздеме", "signature": "(қолы)",
           "executor": "Орындаған", "phone": "тел.", "document": "Құжат",
           "version": "ережелер мен деректер нұсқасы", "made_by": "kzreg жүйесінде жасалған",
           "notice": "Хабарлама", "extract": "Үзінді көшірме", "deadline": "Мерзімі",
           "as_of": lambda when: f"{when} жағдай бойынша"},
    "ru": {"number": "№", "date": "Дата", "basis": "Основание", "signature": "(подпись)",
           "executor": "Исполнитель", "phone": "тел.", "document": "Документ",
           "version": "версия правил и данных", "made_by": "Сформирован в системе kzreg",
           "notice": "Уведомление", "extract": "Выписка", "deadline": "Срок",
           "as_of": lambda when: f"по состоянию на {when}"},
    "en": {"number": "No.", "date": "Date", "basis": "Basis", "signature": "(signature)",
           "executor": "Prepared by", "phone": "tel.", "document": "Document",
           "version": "rules and data version", "made_by": "Made in kzreg",
           "notice": "Notice", "extract": "Extract", "deadline": "Deadline",
           "as_of": lambda when: f"as of {when}"},
}

_ACT_KINDS = {  # act kind -> (Kazakh, Russian) name of the kind of act
    "order": ("бұйрық", "Приказ"), "joint_order": ("бірлескен бұйрық", "Совместный приказ"),
    "law": ("Заң", "Закон"), "code": ("Кодекс", "Кодекс"),
}
_LOCATOR_WORDS = {  # words of the English locators, as the Russian and Kazakh texts say
    "Rules": ("Қағидалар", "Правила"), "Art": ("бап", "ст."), "App": ("қосымша", "прил."),
    "Ord": ("бұйрық", "приказ"), "Std": ("үлгілік шарт", "типовой договор"),
    "Cr": ("өлшемшарттар", "критерии"),
}


def citation_text(ref: Citation | Mapping | str, language: str) -> str:
    """A citation as a document in `language` writes it: 'Приказ № 407, Правила §11'."""
    if isinstance(ref, Mapping):
        citation = Citation(str(ref.get("act", "")), str(ref.get("locator", "")))
    elif isinstance(ref, Citation):
        citation = ref
    else:
        citation = Citation.parse(str(ref))
    if language == "en":
        return str(citation)
    try:
        act = citation.resolve()
    except Exception:  # an unknown act is still printed, by its id
        return str(citation)
    kinds = _ACT_KINDS.get(act.kind)
    number = getattr(act, "number", None)
    if kinds and number:
        name = f"№ {number} {kinds[0]}" if language == "kk" else f"{kinds[1]} № {number}"
    else:
        name = act.short
    locator = citation.locator
    for word, (kk, ru) in _LOCATOR_WORDS.items():
        locator = re.sub(rf"\b{word}\b", kk if language == "kk" else ru, locator)
    return f"{name}, {locator}" if locator else name


def _as_datetime(value: Any) -> dt.datetime | dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, (dt.datetime, dt.date)):
        return value
    text = str(value)
    try:
        return dt.date.fromisoformat(text) if len(text) == 10 else dt.datetime.fromisoformat(text)
    except ValueError:
        return None


def format_date(value: Any) -> str:
    """dd.mm.yyyy — the form official documents of Kazakhstan use; Almaty's date of a time."""
    from kzreg.law.calendar import to_local

    when = _as_datetime(value)
    if when is None:
        return "" if value in (None, "") else str(value)
    if isinstance(when, dt.datetime):
        when = to_local(when).date() if when.tzinfo else when.date()
    return when.strftime("%d.%m.%Y")


def format_datetime(value: Any) -> str:
    """dd.mm.yyyy HH:MM in Almaty time (a bare date prints as a date)."""
    from kzreg.law.calendar import to_local

    when = _as_datetime(value)
    if when is None:
        return "" if value in (None, "") else str(value)
    if not isinstance(when, dt.datetime):
        return when.strftime("%d.%m.%Y")
    local = to_local(when) if when.tzinfo else when
    return local.strftime("%d.%m.%Y %H:%M")


def split_paragraphs(text: str) -> list[str]:
    return [" ".join(p.split()) for p in re.split(r"\n\s*\n", text or "") if p.strip()]


@cache
def _environment(language: str) -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FunctionLoader(_load), autoescape=True,
                             trim_blocks=False, lstrip_blocks=False)
    env.filters["date"] = format_date
    env.filters["datetime"] = format_datetime
    env.filters["cite"] = lambda ref: citation_text(ref, language)
    return env


def template_sources(name: str) -> dict[str, str]:
    """The template and every template it extends, includes or imports, by name."""
    env = _environment("en")
    found: dict[str, str] = {}
    todo = [name]
    while todo:
        current = todo.pop()
        if current in found:
            continue
        source = _load(current)
        if source is None:
            raise NotFound(f"no template {current!r}", field="template")
        found[current] = source
        for ref in jinja2.meta.find_referenced_templates(env.parse(source)):
            if ref is None:
                raise InputError(f"{current!r} names a template dynamically; kzreg cannot "
                                 "tell what a document was made from", field="template")
            todo.append(ref)
    return found


def template_sha256(name: str) -> str:
    """SHA-256 over the template, what it builds on, and the stylesheet."""
    sources = template_sources(name)
    sources[STYLESHEET] = _load(STYLESHEET) or ""
    digest = hashlib.sha256()
    for key in sorted(sources):
        digest.update(key.encode() + b"\0" + sources[key].encode("utf-8") + b"\0")
    return digest.hexdigest()


RESERVED = ("language", "L", "uid", "rules_version", "created_at", "stylesheet",
            "issuer_name")


def snapshot(context: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON form of the data a document is made from (exact numbers as text)."""
    if not isinstance(context, Mapping):
        raise InputError("the document data must be a mapping", field="context")
    for key in RESERVED:
        if key in context:
            raise InputError(f"{key!r} is set by kzreg, not by the data",
                             field=f"context.{key}")
    return json.loads(json.dumps(jsonable(dict(context)), ensure_ascii=False))


def render_html(template: str, data: Mapping[str, Any], *, language: str, uid: str,
                rules_version: str, created_at: dt.datetime) -> str:
    """The HTML of a document, from its JSON snapshot `data` (pure: same inputs, same HTML)."""
    if language not in LANGUAGES:
        raise InputError(f"language must be one of {', '.join(LANGUAGES)}", field="language")
    env = _environment(language)
    try:
        tmpl = env.get_template(template)
    except jinja2.TemplateNotFound:
        raise NotFound(f"no template {template!r}", field="template") from None
    values = dict(data)
    if not values.get("paragraphs") and values.get("body"):
        values["paragraphs"] = split_paragraphs(str(values["body"]))
    values.setdefault("date", created_at.isoformat())
    issuer = values.get("issuer") or {}
    return tmpl.render(
        **values, language=language, L=LABELS[language], uid=uid,
        rules_version=rules_version, created_at=created_at.isoformat(),
        stylesheet=Markup(_load(STYLESHEET) or ""),
        issuer_name=(issuer.get("name_ru") or issuer.get("name_kk") or "")
        if isinstance(issuer, Mapping) else str(issuer))


def html_to_pdf(html: str) -> bytes:
    """An A4 PDF of the HTML, fonts embedded (WeasyPrint, with Pango and fontconfig)."""
    import weasyprint

    base = str(resources.files("kzreg.platform") / "templates" / "documents")
    return weasyprint.HTML(string=html, base_url=base).write_pdf()


# --- storing and reading ------------------------------------------------------------------

def render_document(session: Session, *, case_id: int | None, template: str,
                    context: Mapping[str, Any], language: str, actor: Actor,
                    kind: str | None = None, title: str | None = None,
                    supersedes: int | None = None, at: dt.datetime | None = None) -> Document:
    """Render `template` with `context` to HTML and PDF and store the document.

    Runs in the caller's transaction (no commit). The actor must see the case. `supersedes`
    names the document this one replaces (a new version of it, same case and kind).
    """
    if actor.read_only:
        raise Forbidden(f"the role {actor.role.value} may not make documents", field="actor")
    if language not in LANGUAGES:
        raise InputError(f"language must be one of {', '.join(LANGUAGES)}", field="language")
    data = snapshot(context)
    title = (title or str(data.get("title") or "")).strip()
    if not title:
        raise InputError("a document needs a title", field="context.title")
    data["title"] = title
    if case_id is not None:
        _check_case(session, actor, case_id)
    version, previous = 1, None
    if supersedes is not None:
        previous = get_document(session, supersedes, actor=actor)
        if previous.case_id != case_id:
            raise InputError("a new version belongs to the same case", field="supersedes")
        version = previous.version + 1
    at = at or now_utc()
    uid = uuid.uuid4().hex
    rules_version = data_version()
    kind = kind or template.rpartition("/")[2].removesuffix(".html")
    template_hash = template_sha256(template)
    html = render_html(template, data, language=language, uid=uid,
                       rules_version=rules_version, created_at=at)
    pdf = html_to_pdf(html)
    number = data.get("number")
    document = Document(
        uid=uid, case_id=case_id, kind=kind[:60], title=title[:300],
        number=str(number)[:60] if number not in (None, "") else None, language=language,
        template=template, template_sha256=template_hash, data=data,
        rules_version=rules_version, created_at=at, created_by_id=actor.user_id,
        created_by=actor.username, created_by_role=actor.role.value,
        supersedes_id=previous.id if previous else None, version=version, html=html,
        pdf=pdf, pdf_sha256=_sha256(pdf), pdf_size=len(pdf))
    session.add(document)
    session.flush()
    return document


def _check_case(session: Session, actor: Actor, case_id: int) -> None:
    """The actor must see the case (NotFound otherwise: a hidden case does not exist)."""
    from kzreg.platform import cases

    cases.get_case_for(session, actor, case_id)


def get_document(session: Session, document_id: int, *, actor: Actor | None = None) -> Document:
    """A document by id; with an actor, only if they see its case.

    `pdf` is loaded on first access (it is deferred, so lists stay light): read it while
    the session is open.
    """
    document = session.get(Document, document_id)
    if document is None:
        raise NotFound(f"no document {document_id}", field="document_id")
    if actor is not None and document.case_id is not None:
        try:
            _check_case(session, actor, document.case_id)
        except NotFound:
            raise NotFound(f"no document {document_id}", field="document_id") from None
    return document


def case_documents(session: Session, case_id: int, *,
                   actor: Actor | None = None) -> list[Document]:
    """The documents of a case, oldest first (all versions)."""
    if actor is not None:
        _check_case(session, actor, case_id)
    query = select(Document).where(Document.case_id == case_id).order_by(Document.id)
    return list(session.scalars(query))


def verify_document(document: Document) -> list[str]:
    """What no longer matches the record (empty when the PDF is intact and reproducible)."""
    problems = []
    if _sha256(document.pdf) != document.pdf_sha256:
        problems.append("the PDF does not match its SHA-256")
    try:
        current = template_sha256(document.template)
    except (NotFound, InputError):
        current = None
    if current != document.template_sha256:
        problems.append(f"the template {document.template!r} changed since the document "
                        "was made")
    elif render_html(document.template, document.data, language=document.language,
                     uid=document.uid, rules_version=document.rules_version,
                     created_at=document.created_at) != document.html:
        problems.append("the HTML is not what the template makes of the recorded data")
    return problems
