"""Requirements of the Criteria's appendices (Cr §11, Cr-App1..5) as data, their severities
as data an administrator loads, and the counts a filled checklist gives the indicator.

The seed keeps the texts of 97 requirements (Cr-App5 cut off after 52) but not one
severity: the "Extent of violation" column is empty. So severities are loaded (setting
risk.requirement_severity_table), and a checklist with any severity missing is refused
rather than scored on a guess.
"""

from __future__ import annotations

import csv
import enum
import io
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import yaml

from kzreg.law.errors import InputError, LegalRuleError, NotFound
from kzreg.law.explain import Explained, Trace
from kzreg.law.settings import get_setting
from kzreg.risk._law import act, criteria
from kzreg.risk.indicator import Counts
from kzreg.risk.subjects import ControlKind, SubjectType


class Severity(enum.StrEnum):
    """Cr §2(3)-(5)."""

    GROSS = "gross"
    CONSIDERABLE = "considerable"
    INSIGNIFICANT = "insignificant"


@dataclass(frozen=True)
class Requirement:
    id: str              # "cr-app4-07": appendix and position in the text
    appendix: str        # "Cr-App4"
    position: int
    text: str


@dataclass(frozen=True)
class Appendix:
    id: str
    locator: str
    heading: str
    subject_types: tuple[SubjectType, ...]
    control_kinds: tuple[ControlKind, ...]
    complete: bool
    requirements: tuple[Requirement, ...]


@cache
def appendices() -> tuple[Appendix, ...]:
    text = (resources.files("kzreg.risk") / "data" / "requirements.yaml").read_text("utf-8")
    out = []
    for a in yaml.safe_load(text)["appendices"]:
        reqs = tuple(Requirement(r["id"], a["locator"], r["position"], r["text"])
                     for r in a["requirements"])
        out.append(Appendix(a["id"], a["locator"], a["heading"],
                            tuple(SubjectType(t) for t in a["subject_types"]),
                            tuple(ControlKind(k) for k in a["control_kinds"]),
                            bool(a["complete"]), reqs))
    return tuple(out)


@cache
def requirements() -> dict[str, Requirement]:
    return {r.id: r for a in appendices() for r in a.requirements}


def checklist_for(kind: SubjectType, control: ControlKind) -> Explained[Appendix]:
    """The Criteria appendix listing the requirements for this subject type and control."""
    trace = Trace()
    use = get_setting("risk.training_centre_appendix3_use")
    for a in appendices():
        kinds = a.control_kinds
        if kind is SubjectType.TRAINING_CENTER and use.value == "unscheduled_only":
            kinds = tuple(k for k in kinds if k is not ControlKind.PREVENTIVE_WITH_VISIT)
        if kind in a.subject_types and control in kinds:
            note = "" if a.complete else " (the text is cut off: only the visible rows)"
            trace.step(f"{kind.value}, {control.value}: the requirements of {a.locator}, "
                       f"{len(a.requirements)} rows{note}", a.id, citation=act(a.locator),
                       parameters=[use.use()] if kind is SubjectType.TRAINING_CENTER else [])
            return trace.done(a)
    raise NotFound(f"the text keeps no requirement list for {kind.value} under "
                   f"{control.value} (Cr §11; Cr-App6 and Cr-App7 are missing)",
                   field="checklist", citation=criteria("§11"))


# --- severities: data an administrator loads -------------------------------------------------

def parse_severities(text: str, name: str = "file") -> dict[str, Severity]:
    """Read {requirement id: severity} from YAML/JSON (a mapping) or CSV (id,severity)."""
    data: object
    if name.endswith(".csv"):
        rows = list(csv.DictReader(io.StringIO(text)))
        if rows and not {"id", "severity"} <= set(rows[0]):
            raise InputError("the CSV needs the columns id,severity", field=name)
        data = {r["id"]: r["severity"] for r in rows}
    else:
        try:
            data = json.loads(text) if name.endswith(".json") else yaml.safe_load(text)
        except (ValueError, yaml.YAMLError) as exc:
            raise InputError(f"not valid YAML/JSON: {exc}", field=name) from None
    if not isinstance(data, Mapping) or not data:
        raise InputError("expected a mapping of requirement ids to severities", field=name)
    known = requirements()
    out = {}
    for key, value in data.items():
        rid = str(key).strip()
        if rid not in known:
            raise NotFound(f"no requirement {rid!r} (ids like cr-app4-07)", field=f"{name}.{rid}")
        try:
            out[rid] = Severity(str(value).strip().lower())
        except ValueError:
            raise InputError(f"{value!r} is not gross, considerable or insignificant",
                             field=f"{name}.{rid}") from None
    return out


def load_severities_file(path: str | Path) -> dict[str, Severity]:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}", field="file") from None
    return parse_severities(text, path.name)


def count_violations(appendix: Appendix, violated: Iterable[str],
                     severities: Mapping[str, Severity],
                     not_applicable: Iterable[str] = ()) -> Explained[Counts]:
    """The counts Cr §13 needs from a filled checklist; refuses when severities are missing."""
    trace = Trace()
    table = get_setting("risk.requirement_severity_table")
    ids = [r.id for r in appendix.requirements]
    violated, skipped = set(violated), set(not_applicable)
    for rid in sorted(violated | skipped):
        if rid not in ids:
            raise InputError(f"{rid!r} is not a requirement of {appendix.locator}",
                             field="violated", citation=act(appendix.locator))
    if both := sorted(violated & skipped):
        raise InputError(f"{both[0]} is marked both violated and not applicable",
                         field="violated")
    applicable = [rid for rid in ids if rid not in skipped]
    missing = [rid for rid in applicable if rid not in severities]
    if missing:
        shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5
                                          else "")
        raise LegalRuleError(
            f"the severities of {len(missing)} requirement(s) of {appendix.locator} are not "
            f"loaded ({shown}); the text leaves them empty, so the checklist is not scored. "
            "Load them with `kzreg risk severities load FILE` "
            "(setting risk.requirement_severity_table)",
            field="risk.requirement_severity_table", citation=act(appendix.locator))
    tally = {s: [0, 0] for s in Severity}   # severity -> [found, applicable]
    for rid in applicable:
        tally[severities[rid]][1] += 1
        tally[severities[rid]][0] += rid in violated
    counts = Counts(tally[Severity.GROSS][0], *tally[Severity.CONSIDERABLE],
                    *tally[Severity.INSIGNIFICANT])
    trace.step(f"{appendix.locator}: {len(applicable)} applicable requirement(s), "
               f"{len(violated)} violated: gross {counts.gross}, considerable "
               f"{counts.considerable_found} of {counts.considerable_total}, insignificant "
               f"{counts.insignificant_found} of {counts.insignificant_total}", counts,
               citation=criteria("§11"), parameters=[table.use()])
    return trace.done(counts)
