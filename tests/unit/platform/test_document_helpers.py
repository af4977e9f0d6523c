"""Pure parts of document rendering: dates, citations, snapshots, templates, versions."""

import datetime as dt
import re
from decimal import Decimal

import pytest

from kzreg.law.citations import Citation
from kzreg.law.errors import InputError, NotFound
from kzreg.platform import documents as docs

CREATED = dt.datetime(2025, 3, 14, 8, 5, tzinfo=dt.UTC)


def test_dates_print_as_official_documents_write_them_in_almaty_time():
    assert docs.format_date("2025-03-14") == "14.03.2025"
    assert docs.format_date(dt.date(2025, 1, 2)) == "02.01.2025"
    # 20:30 UTC is already the next day in Almaty (UTC+5)
    assert docs.format_date("2025-03-14T20:30:00+00:00") == "15.03.2025"
    assert docs.format_datetime("2025-03-14T08:05:00+00:00") == "14.03.2025 13:05"
    assert docs.format_datetime("2025-03-14") == "14.03.2025"
    assert docs.format_date(None) == ""
    assert docs.format_date("not a date") == "not a date"


def test_citations_in_the_documents_language():
    ref = "order-407:Rules §11"
    assert docs.citation_text(ref, "ru") == "Приказ № 407, Правила §11"
    assert docs.citation_text(ref, "kk") == "№ 407 бұйрық, Қағидалар §11"
    assert docs.citation_text(Citation("order-407", "Rules §11"), "en") == str(
        Citation("order-407", "Rules §11"))
    assert docs.citation_text({"act": "law-86-VII", "locator": "Art 51-5(3)"}, "ru") == \
        "Закон № 86-VII, ст. 51-5(3)"
    assert docs.citation_text("no-such-act:§1", "ru").endswith("§1")  # printed, not lost


def test_blank_lines_part_paragraphs():
    text = "Первый абзац\nпродолжается.\n\n  Екінші абзац. \n\n\n"
    assert docs.split_paragraphs(text) == ["Первый абзац продолжается.", "Екінші абзац."]


def test_snapshot_is_plain_json_with_exact_numbers():
    data = docs.snapshot({"score": Decimal("30.00"), "when": dt.date(2025, 1, 2),
                          "basis": [Citation("order-407", "Rules §11")]})
    assert isinstance(data["score"], str) and Decimal(data["score"]) == Decimal("30")
    assert data["when"] == "2025-01-02"
    assert data["basis"][0]["act"] == "order-407"


@pytest.mark.parametrize("key", docs.RESERVED)
def test_snapshot_refuses_keys_kzreg_sets_itself(key):
    with pytest.raises(InputError) as err:
        docs.snapshot({key: "x"})
    assert err.value.field == f"context.{key}"


def test_snapshot_needs_a_mapping():
    with pytest.raises(InputError):
        docs.snapshot(["title"])


@pytest.mark.parametrize("name", ["../secret.html", "/etc/passwd", "notice.txt",
                                  "Room/x.html", "a/b/c.html", ""])
def test_template_names_cannot_escape_the_template_folders(name):
    with pytest.raises(InputError) as err:
        docs.template_sources(name)
    assert err.value.field == "template"


def test_unknown_templates_are_not_found():
    with pytest.raises(NotFound):
        docs.template_sources("no-such-document.html")
    with pytest.raises(NotFound):
        docs.template_sources("noroom/letter.html")


def test_template_hash_covers_what_the_template_builds_on():
    assert set(docs.template_sources("notice.html")) == {"notice.html", "base.html"}
    assert re.fullmatch(r"[0-9a-f]{64}", docs.template_sha256("notice.html"))
    assert docs.template_sha256("notice.html") != docs.template_sha256("extract.html")


def test_data_version_names_the_package_and_the_data():
    from kzreg import __version__

    assert re.fullmatch(re.escape(__version__) + r"\+data\.[0-9a-f]{12}", docs.data_version())


def render(data, language="ru"):
    return docs.render_html("notice.html", data, language=language, uid="u" * 32,
                            rules_version="0.1.0+data.x", created_at=CREATED)


def test_rendering_is_a_pure_function_of_the_snapshot():
    data = {"title": "Хабарлама", "body": "Мәтін."}
    assert render(data) == render(data)


def test_rendered_html_escapes_the_data_and_labels_in_the_language():
    html = render({"title": "<script>alert(1)</script>", "basis": ["order-407:Rules §11"]},
                  language="kk")
    assert "<script>alert" not in html
    assert "&lt;script&gt;" in html
    assert 'lang="kk"' in html
    assert "Негіздеме" in html and "№ 407 бұйрық, Қағидалар §11" in html
    assert "14.03.2025" in html   # the date defaults to the day the document is made


def test_unknown_language_is_refused():
    with pytest.raises(InputError) as err:
        render({"title": "x"}, language="de")
    assert err.value.field == "language"
