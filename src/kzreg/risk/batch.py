"""Scoring many subjects from a file (JSON array / JSON lines / CSV): each good row gets its
objective degree (Cr §6, §15), exact indicator and degree (Cr §12-13); each bad row is
reported by row and field while the good ones are still scored."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from kzreg.law.errors import InputError, KzregError
from kzreg.law.numbers import fmt, to_decimal
from kzreg.risk.degrees import classify
from kzreg.risk.indicator import Counts, score_arrays
from kzreg.risk.subjects import Degree, Relief, subject_type

COUNT_FIELDS = ("gross", "considerable_found", "considerable_total", "insignificant_found",
                "insignificant_total")
FLAG_FIELDS = ("insured", "sro_recognized", "legally_exempt")
TRUE, FALSE = {"true", "1", "yes", "y"}, {"false", "0", "no", "n", ""}


@dataclass(frozen=True)
class RowError:
    row: int            # 1-based, data rows only (a CSV header is not counted)
    id: str | None
    field: str
    message: str

    def __str__(self) -> str:
        who = f" (id {self.id})" if self.id else ""
        return f"row {self.row}{who}: {self.field}: {self.message}"


def read_rows(path: str | Path) -> list[Mapping[str, Any]]:
    """Rows of a .json (array or JSON lines) or .csv file (`-` reads JSON from stdin)."""
    import sys

    name = str(path)
    try:
        text = sys.stdin.read() if name == "-" else Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}", field="SUBJECTS") from None
    except UnicodeDecodeError:
        raise InputError(f"{path} is not UTF-8 text", field="SUBJECTS") from None
    if name.lower().endswith(".csv"):
        return list(csv.DictReader(io.StringIO(text)))
    try:   # one JSON document: an array, {"subjects": [...]}, or a single object
        whole = json.loads(text) if text.strip() else []
    except json.JSONDecodeError:
        whole = None
    if isinstance(whole, Mapping) and isinstance(whole.get("subjects"), list):
        return whole["subjects"]
    if whole is not None:
        return whole if isinstance(whole, list) else [whole]
    try:   # JSON lines
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    except json.JSONDecodeError as exc:
        raise InputError(f"not JSON (an array or one object per line): {exc}",
                         field="SUBJECTS") from None


def _count(raw: Any, field: str) -> int:
    if raw is None or raw == "":
        return 0
    if field == "gross" and (isinstance(raw, bool) or str(raw).strip().lower() in
                             ("true", "false", "yes", "no")):
        return int(_flag(raw, field))   # "gross": true — one gross violation or none
    if isinstance(raw, bool) or isinstance(raw, float) and not raw.is_integer():
        raise InputError(f"must be a whole number, got {raw!r}", field=field)
    try:
        value = int(raw) if not isinstance(raw, str) else int(raw.strip())
    except (TypeError, ValueError):
        raise InputError(f"must be a whole number, got {raw!r}", field=field) from None
    if value < 0:
        raise InputError(f"must be ≥ 0, got {value}", field=field)
    return value


def _flag(raw: Any, field: str) -> bool:
    if raw is None or isinstance(raw, bool):
        return bool(raw)
    text = str(raw).strip().lower()
    if text in TRUE | FALSE:
        return text in TRUE
    raise InputError(f"must be true or false, got {raw!r}", field=field)


@dataclass(frozen=True)
class Parsed:
    row: int
    id: str | int        # as given (a number stays a number in the output)
    type: Any
    counts: Counts
    relief: Relief


def parse_row(row: int, data: Any) -> Parsed:
    if not isinstance(data, Mapping):
        raise InputError("expected an object", field="row")
    ident = data.get("id")
    if ident is None or isinstance(ident, bool | float | list | dict) or str(ident).strip() == "":
        raise InputError("missing, or not a string or whole number", field="id")
    kind = subject_type(data.get("type") or "", "type")
    counts = Counts(*(_count(data.get(f), f) for f in COUNT_FIELDS))
    counts.check()
    relief = Relief(insured=_flag(data.get("insured"), "insured"),
                    legally_exempt=_flag(data.get("legally_exempt"), "legally_exempt"),
                    sro_recognized=_flag(data.get("sro_recognized"), "sro_recognized"))
    return Parsed(row, ident.strip() if isinstance(ident, str) else ident, kind, counts,
                  relief)


def parse_rows(rows: Iterable[Any]) -> tuple[list[Parsed], list[RowError]]:
    _CLASSIFIED.clear()   # settings may have changed since the last file
    good, bad = [], []
    for n, data in enumerate(rows, 1):
        try:
            parsed = parse_row(n, data)
            classify_cached(parsed.type, parsed.relief)   # refuses unclassed types here
            good.append(parsed)
        except KzregError as exc:
            ident = data.get("id") if isinstance(data, Mapping) else None
            bad.append(RowError(n, str(ident) if ident not in (None, "") else None,
                                exc.field or "row", exc.message))
    return good, bad


_CLASSIFIED: dict[tuple, Any] = {}


def classify_cached(kind, relief: Relief):
    """The objective outcome per (type, relief): a handful of distinct answers per file."""
    key = (kind, relief)
    if key not in _CLASSIFIED:
        _CLASSIFIED[key] = classify(kind, relief).value
    return _CLASSIFIED[key]


def exact_number(value: Fraction) -> Decimal:
    """The indicator as a decimal: exact when it terminates, else to 20 places."""
    dec = to_decimal(value)
    return dec if Fraction(dec) == value else to_decimal(value, 20)


def score(parsed: list[Parsed]) -> Iterator[dict[str, Any]]:
    """Score parsed rows at once (integer numpy arithmetic), then yield one dict per row."""
    if not parsed:
        return
    rows = [(p.counts.gross, p.counts.considerable_found, p.counts.considerable_total,
             p.counts.insignificant_found, p.counts.insignificant_total) for p in parsed]
    # counts beyond int64 (valid JSON, absurd but not illegal) stay exact Python integers
    wide = any(v >= 2**63 for row in rows for v in row)
    cols = np.array(rows, dtype=object if wide else np.int64)
    num, den, degree = score_arrays(*cols.T)
    for k, p in enumerate(parsed):
        value = Fraction(int(num[k]), int(den[k]))
        outcome = classify_cached(p.type, p.relief)
        yield {"id": p.id, "type": p.type.value,
               "objective_degree": outcome.degree.value,
               "objective_degree_before_transfer": outcome.objective_degree.value,
               "indicator": exact_number(value),
               "indicator_fraction": fmt(value) if value.denominator == 1 else
               f"{value.numerator}/{value.denominator}",
               "degree": Degree.of_rank(int(degree[k])).value,
               "gross": p.counts.gross > 0}


def dumps(obj: Any) -> str:
    """JSON with Decimals written as exact JSON numbers (json would refuse or float them)."""
    if isinstance(obj, Decimal):
        text = format(obj, "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    if isinstance(obj, Mapping):
        return "{" + ", ".join(f"{json.dumps(str(k))}: {dumps(v)}" for k, v in obj.items()) + "}"
    if isinstance(obj, list | tuple):
        return "[" + ", ".join(dumps(v) for v in obj) + "]"
    return json.dumps(obj, ensure_ascii=False)
