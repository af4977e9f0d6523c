"""Case documents: HTML and PDF with Kazakh and Russian text, stored as made.

The PDF is checked the way a reader would meet it: the text extracted with poppler's
`pdftotext` contains the Kazakh letters Ә Ғ Қ Ң Ө Ұ Ү Һ І; every font is embedded; and
every glyph the pages draw is a real outline, not `.notdef` (an empty box).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
import subprocess
import zlib

import pytest
from sqlalchemy import update

from kzreg.law.errors import Conflict, Forbidden, NotFound
from kzreg.platform.actors import Actor, Role
from kzreg.platform.cases import open_case
from kzreg.platform.casetypes import CaseType, State, Transition, register_case_type
from kzreg.platform.db import unit_of_work
from kzreg.platform.documents import (
    Document,
    case_documents,
    data_version,
    get_document,
    html_to_pdf,
    render_document,
    render_html,
    template_sha256,
    verify_document,
)

KAZAKH_LETTERS = "ӘәҒғҚқҢңӨөҰұҮүҺһІі"
BIN_A, BIN_B = "040540012305", "040540012315"
T0 = dt.datetime(2025, 3, 14, 8, 5, tzinfo=dt.UTC)

CASE_TYPE = register_case_type(CaseType(
    name="test.documents", title="Documents test case",
    states=(State("open", "Open"), State("closed", "Closed", final=True)),
    transitions=(Transition("close", "open", "closed",
                            roles=frozenset({Role.INDUSTRY_OFFICER})),),
), replace=True)

OFFICER = Actor("officer", Role.INDUSTRY_OFFICER)
MAKER_A = Actor("maker.a", Role.MANUFACTURER, bin=BIN_A)
MAKER_B = Actor("maker.b", Role.MANUFACTURER, bin=BIN_B)

CONTEXT = {
    "issuer": {"name_kk": "Қазақстан Республикасы Өнеркәсіп және құрылыс министрлігі",
               "name_ru": "Министерство промышленности и строительства Республики Казахстан",
               "address_ru": "г. Астана, пр. Кабанбай батыра, 32/1"},
    "number": "04-2/1187",
    "date": "2025-03-14",
    "addressee": {"position": "Директору", "name": "ТОО «Қазақ Автоөнеркәсіп»",
                  "address": "г. Костанай, ул. Тәуелсіздік, 5"},
    "title": "Уведомление о рассмотрении заявки",
    "body": "Заявка на заключение соглашения о промышленной сборке рассмотрена.\n\n"
            "Қазақстан Республикасы заңнамасына сәйкес өтінім қаралды: "
            + " ".join(KAZAKH_LETTERS) + ".",
    "facts": [["Код ТН ВЭД ЕАЭС", "8704"], ["Баллы", "3 000"]],
    "basis": ["order-493:Rules §13"],
    "signatory": {"position": "Директор департамента", "name": "Ғ. Өмірзақов"},
}


def need(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{tool} missing: run scripts/setup-system.sh (poppler-utils)")
        pytest.skip(f"{tool} (poppler-utils) is not installed")
    return path


def pdf_text(pdf: bytes) -> str:
    return subprocess.run([need("pdftotext"), "-layout", "-", "-"], input=pdf,
                          capture_output=True, check=True).stdout.decode("utf-8")


def pdf_fonts(pdf: bytes, tmp_path) -> list[list[str]]:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    out = subprocess.run([need("pdffonts"), str(path)], capture_output=True, check=True,
                         text=True).stdout.splitlines()[2:]
    return [line.split() for line in out]


def _objects(pdf: bytes) -> dict[int, tuple[bytes, bytes]]:
    """Object number -> (dictionary, decoded stream or b""), object streams unpacked."""
    found: dict[int, tuple[bytes, bytes]] = {}
    for m in re.finditer(rb"(\d+) 0 obj\s*<<(.*?)>>\s*stream\r?\n", pdf, re.S):
        head = m.group(2)
        length = int(re.search(rb"/Length (\d+)", head).group(1))
        raw = pdf[m.end():m.end() + length]
        data = zlib.decompress(raw) if b"/FlateDecode" in head else raw
        found[int(m.group(1))] = (head, data)
        if b"/ObjStm" in head:   # compressed objects: "num offset" pairs, then the objects
            first = int(re.search(rb"/First (\d+)", head).group(1))
            pairs = list(map(int, data[:first].split()))
            offsets = pairs[1::2] + [len(data) - first]
            for i, num in enumerate(pairs[0::2]):
                found[num] = (data[first + offsets[i]:first + offsets[i + 1]], b"")
    return found


def drawn_glyphs(pdf: bytes) -> dict[str, tuple[set[int], object]]:
    """For each font the pages use: the glyph ids drawn (Identity-H, two bytes each) and the
    embedded TrueType font they index."""
    from fontTools.ttLib import TTFont

    objects = _objects(pdf)
    files = {}   # subset tag ("BAWKYD") -> embedded font program
    for head, _ in objects.values():
        m = re.search(rb"/FontName /(\w+)\+[^/]*/.*?/FontFile2 (\d+) 0 R", head, re.S)
        if m:
            files[m.group(1).decode()] = TTFont(io.BytesIO(objects[int(m.group(2))][1]))
    used: dict[str, set[int]] = {}
    for _, data in objects.values():
        font = None
        for op in re.finditer(rb"/(\w+) [\d.]+ Tf|\[(.*?)\] TJ|<([0-9a-fA-F]+)> Tj", data,
                              re.S):
            if op.group(1):
                font = op.group(1).decode()
                continue
            for text in re.findall(rb"<([0-9a-fA-F]+)>", op.group(2) or op.group(0)):
                hexa = text.decode()
                used.setdefault(font, set()).update(
                    int(hexa[i:i + 4], 16) for i in range(0, len(hexa), 4))
    return {name: (gids, files[name]) for name, gids in used.items()}


@pytest.fixture(scope="module")
def pdf() -> bytes:
    html = render_html("notice.html", CONTEXT, language="ru", uid="f" * 32,
                       rules_version=data_version(), created_at=T0)
    return html_to_pdf(html)


def test_the_pdf_is_a_pdf(pdf):
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")


def test_kazakh_and_russian_text_comes_back_out_of_the_pdf(pdf):
    text = " ".join(pdf_text(pdf).split())
    for phrase in ("Қазақстан Республикасы", "Республика Казахстан",
                   "Уведомление о рассмотрении заявки", "ТОО «Қазақ Автоөнеркәсіп»",
                   "Тәуелсіздік", "Ғ. Өмірзақов", "Основание: Приказ № 493, Правила §13",
                   "14.03.2025", "04-2/1187"):
        assert phrase in text, phrase
    assert " ".join(KAZAKH_LETTERS) in text


def test_every_font_is_embedded_and_covers_cyrillic(pdf, tmp_path):
    fonts = pdf_fonts(pdf, tmp_path)
    assert fonts
    for row in fonts:
        name, emb = row[0], row[-5]
        assert emb == "yes", row
        assert "DejaVu" in name or "Noto" in name, row   # the fonts the set-up installs


def test_no_glyph_drawn_is_notdef(pdf):
    fonts = drawn_glyphs(pdf)
    assert fonts
    covered: set[int] = set()
    for name, (gids, font) in fonts.items():
        assert 0 not in gids, name                        # glyph 0 is .notdef: a box
        order, outlines, cmap = font.getGlyphOrder(), font["glyf"], font.getBestCmap()
        spaces = {cmap.get(0x20), cmap.get(0xA0)}
        assert max(gids) < len(order), (name, "draws glyphs the embedded font lacks")
        # letters have outlines (simple or composite: contours != 0); spaces may be empty
        blank = [order[g] for g in gids
                 if outlines[order[g]].numberOfContours == 0 and order[g] not in spaces]
        assert not blank, (name, blank)
        covered |= set(cmap)
    assert {ord(c) for c in KAZAKH_LETTERS} <= covered


# --- stored documents, both engines --------------------------------------------------------

def open_test_case(bin_: str = BIN_A) -> int:
    with unit_of_work() as s:
        return open_case(s, CASE_TYPE, actor=MAKER_A if bin_ == BIN_A else MAKER_B,
                         title="Заявка", party_bins=[bin_], at=T0).id


def test_a_document_records_its_data_template_and_rules_version(db, tmp_path):
    case_id = open_test_case()
    with unit_of_work() as s:
        doc = render_document(s, case_id=case_id, template="notice.html", context=CONTEXT,
                              language="ru", actor=OFFICER, at=T0)
        doc_id = doc.id
    with unit_of_work() as s:
        doc = get_document(s, doc_id)
        assert doc.pdf.startswith(b"%PDF")
        assert "Қазақстан Республикасы" in pdf_text(doc.pdf)
        assert doc.data == {**CONTEXT, "facts": [list(f) for f in CONTEXT["facts"]]}
        assert doc.rules_version == data_version()
        assert doc.template == "notice.html"
        assert doc.template_sha256 == template_sha256("notice.html")
        assert (doc.kind, doc.title, doc.number, doc.language, doc.version) == (
            "notice", "Уведомление о рассмотрении заявки", "04-2/1187", "ru", 1)
        assert (doc.created_by, doc.created_by_role, doc.created_at) == (
            "officer", "industry_officer", T0)
        assert doc.uid in doc.html and doc.uid in pdf_text(doc.pdf)
        assert doc.pdf_size == len(doc.pdf)
        assert verify_document(doc) == []
        assert [d.id for d in case_documents(s, case_id)] == [doc_id]


def test_a_document_is_never_changed_or_deleted_and_tampering_shows(db):
    case_id = open_test_case()
    with unit_of_work() as s:
        doc_id = render_document(s, case_id=case_id, template="notice.html",
                                 context=CONTEXT, language="ru", actor=OFFICER).id
    with pytest.raises(Conflict), unit_of_work() as s:
        get_document(s, doc_id).title = "Другое"
    with pytest.raises(Conflict), unit_of_work() as s:
        s.delete(get_document(s, doc_id))
    with unit_of_work() as s:   # behind the application's back, in SQL
        s.execute(update(Document).where(Document.id == doc_id).values(pdf=b"%PDF-forged"))
    with unit_of_work() as s:
        assert verify_document(get_document(s, doc_id)) == [
            "the PDF does not match its SHA-256"]


def test_a_new_version_is_a_new_row_in_kazakh(db):
    case_id = open_test_case()
    with unit_of_work() as s:
        first = render_document(s, case_id=case_id, template="notice.html", context=CONTEXT,
                                language="ru", actor=OFFICER)
        second = render_document(s, case_id=case_id, template="notice.html",
                                 context={**CONTEXT, "title": "Өтінімді қарау туралы хабарлама"},
                                 language="kk", actor=OFFICER, supersedes=first.id)
        assert (second.version, second.supersedes_id) == (2, first.id)
        assert "Негіздеме: № 493 бұйрық, Қағидалар §13" in pdf_text(second.pdf)
        assert [d.version for d in case_documents(s, case_id)] == [1, 2]


def test_documents_follow_their_case_scope(db):
    case_id = open_test_case(BIN_A)
    with unit_of_work() as s:
        doc_id = render_document(s, case_id=case_id, template="extract.html",
                                 context={"title": "Выписка", "rows": [["1", "8704"]]},
                                 language="ru", actor=MAKER_A).id
    with unit_of_work() as s:
        assert get_document(s, doc_id, actor=MAKER_A).kind == "extract"
        with pytest.raises(NotFound) as err:     # another company: it does not exist
            get_document(s, doc_id, actor=MAKER_B)
        assert err.value.field == "document_id"
        with pytest.raises(NotFound):
            render_document(s, case_id=case_id, template="notice.html", context=CONTEXT,
                            language="ru", actor=MAKER_B)
        with pytest.raises(Forbidden):
            render_document(s, case_id=case_id, template="notice.html", context=CONTEXT,
                            language="ru", actor=Actor("auditor", Role.AUDITOR))


def test_the_cli_saves_and_verifies_a_document(db, tmp_path):
    from typer.testing import CliRunner

    from kzreg.cli import app

    with unit_of_work() as s:
        doc_id = render_document(s, case_id=None, template="extract.html",
                                 context={"title": "Тізілімнен үзінді көшірме"},
                                 language="kk", actor=OFFICER).id
    out = tmp_path / "out.pdf"
    shown = CliRunner().invoke(app, ["documents", "show", str(doc_id), "--pdf", str(out)])
    assert shown.exit_code == 0, shown.output
    assert '"kind": "extract"' in shown.output and "Тізілімнен" in shown.output
    assert out.read_bytes().startswith(b"%PDF")
    verified = CliRunner().invoke(app, ["documents", "verify", str(doc_id)])
    assert verified.exit_code == 0 and "ok" in verified.output
