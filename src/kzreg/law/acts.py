"""The acts registry: which acts exist, when they and their provisions are in force.

Law has time (design principle 2). Every act the system cites is data in
`law/data/acts.yaml`: its entry-into-force clause, its amendments with the provisions each
touched and each one's own effective rule, and its abolition. This module answers:

- `get_act(id)`, `all_acts()` — the registry (`Citation.resolve()` uses `get_act`);
- `explain_in_force(act_id, on)` — was the act in force on a date, and why (clause cited);
- `in_force(act_id, on)` — the same as a bool, refusing to guess;
- `version_on(act_id, on)` — which amendments applied on a date, and what was not yet in force;
- `explain_provision_in_force(act_id, provision, on)` / `provision_in_force(...)` — for
  provisions with their own dates (Law 86-VII Art 51-1, Law 236-VI Art 22).

Unknown stays unknown. No seed states the date of first official publication, so an effective
date counted from publication is unknown unless the deployment supplies the publication date
(setting `acts.publication_dates`). Answers are then three-valued: `True`, `False`, or `None`
(cannot be determined). `None` still narrows what it can: an act cannot take effect before it
was adopted/registered (`EffectiveDate.not_before`), and an act the seed shows being amended
with effect on a fixed date was in force by then (`Act.in_force_by`, flagged unverified).
`in_force()` raises `InForceUnknown` — a `NotInForce` — rather than answer `None`, so a caller
that refuses to apply an act not shown to be in force does so without extra code.

How "N calendar days after the day of first official publication" is counted is the setting
`acts.effective_after_publication_counting`; whether "until <date>" includes that day is
`acts.until_is_exclusive`.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import yaml

from kzreg.law.citations import Citation
from kzreg.law.errors import InputError, NotFound, NotInForce
from kzreg.law.explain import Explained, ParameterUse, Trace
from kzreg.law.settings import get_setting, setting

KINDS = ("law", "code", "order", "joint_order", "decision")
RULES = ("on_publication", "after_publication", "fixed", "unknown")
ACTIONS = ("amended", "reworded", "inserted", "excluded")
COUNTING = "acts.effective_after_publication_counting"
UNTIL_EXCLUSIVE = "acts.until_is_exclusive"
PUBLICATION_DATES = "acts.publication_dates"


class InForceUnknown(NotInForce):
    """Whether the act (provision) was in force on the date cannot be determined from the data."""


# --- the data model --------------------------------------------------------------------

@dataclass(frozen=True)
class EffectiveRule:
    """An entry-into-force (or end) rule as the act writes it."""

    rule: str                     # on_publication | after_publication | fixed | unknown
    text: str                     # the rule in the act's words
    days: int | None = None
    months: int | None = None
    date: dt.date | None = None   # for `fixed`
    of: str | None = None         # whose publication counts (None: the act that says it)
    verified: bool = True         # a fixed date read from the text is verified


@dataclass(frozen=True)
class EffectiveDate:
    """A resolved effective date: the day something starts (or stops) applying."""

    date: dt.date | None          # None: cannot be determined
    verified: bool
    rule: str                     # the rule text it comes from
    not_before: dt.date | None = None   # the earliest it can be, when `date` is unknown
    citation: Citation | None = None
    note: str = ""

    @property
    def known(self) -> bool:
        return self.date is not None

    def __str__(self) -> str:
        if self.date is None:
            bound = f", not before {self.not_before.isoformat()}" if self.not_before else ""
            return f"unknown{bound}"
        return self.date.isoformat() + ("" if self.verified else " (UNVERIFIED)")


@dataclass(frozen=True)
class Publication:
    date: dt.date | None
    verified: bool
    note: str


@dataclass(frozen=True)
class Change:
    """What one amending act did to some provisions, and when that took effect."""

    provisions: tuple[str, ...]
    action: str                   # amended | reworded | inserted | excluded
    effective: EffectiveRule
    note: str = ""


@dataclass(frozen=True)
class Amendment:
    act: str                      # the amended act
    by: str                       # the amending act
    changes: tuple[Change, ...]
    note: str = ""

    @property
    def label(self) -> str:
        """'Law 188-VIII of 19.05.2025'"""
        return _label(get_act(self.by))

    @property
    def provisions(self) -> tuple[str, ...]:
        return tuple(p for change in self.changes for p in change.provisions)


@dataclass(frozen=True)
class ProvisionRule:
    """A provision with its own start or end, set by the act's own clause (Art 69, Art 32)."""

    provisions: tuple[str, ...]
    clause: str
    effective: EffectiveRule | None = None
    until: EffectiveRule | None = None
    note: str = ""


@dataclass(frozen=True)
class Abolition:
    by: str
    clause: str
    effective: EffectiveRule


@dataclass(frozen=True)
class Act:
    id: str
    kind: str
    short: str
    title: str
    title_ru: str | None = None
    number: str | None = None
    adopted: dt.date | None = None
    issuer: str | None = None
    registration_date: dt.date | None = None
    registration_number: str | None = None
    seed: str | None = None
    rests_on: tuple[Citation, ...] = ()
    published: Publication = Publication(None, False, "")
    entry_into_force: EffectiveRule = EffectiveRule("unknown", "not recorded")
    entry_clause: str = ""
    in_force_by: dt.date | None = None
    in_force_by_note: str = ""
    provisions: tuple[ProvisionRule, ...] = ()
    suspensions: tuple[ProvisionRule, ...] = ()
    amendments: tuple[Amendment, ...] = ()
    abolished: Abolition | None = None
    note: str = ""

    def cite(self, locator: str = "") -> Citation:
        return Citation(self.id, locator)

    @property
    def label(self) -> str:
        return _label(self)


def _label(act: Act) -> str:
    return f"{act.short} of {act.adopted:%d.%m.%Y}" if act.adopted else act.short


# --- loading and validating the registry ------------------------------------------------

_ACT_KEYS = {"kind", "short", "number", "title", "issuer", "adopted", "registration", "seed",
             "rests_on", "published", "entry_into_force", "in_force_by", "provisions",
             "suspensions", "amendments", "abolished", "note"}
_RULE_KEYS = {"rule", "text", "days", "months", "date", "of", "verified", "clause"}


def _fail(where: str, message: str) -> InputError:
    return InputError(message, field=f"acts.{where}")


def _date(value: Any, where: str, *, required: bool = False) -> dt.date | None:
    if value is None:
        if required:
            raise _fail(where, "a date is required")
        return None
    if isinstance(value, dt.datetime) or not isinstance(value, (dt.date, str)):
        raise _fail(where, f"expected an ISO date, got {value!r}")
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise _fail(where, f"{value!r} is not an ISO date") from None
    return value


def _rule(raw: Any, where: str) -> EffectiveRule:
    if not isinstance(raw, Mapping):
        raise _fail(where, "expected a mapping with `rule` and `text`")
    unknown = set(raw) - _RULE_KEYS
    if unknown:
        raise _fail(where, f"unknown keys {sorted(unknown)}")
    kind = raw.get("rule")
    if kind not in RULES:
        raise _fail(f"{where}.rule", f"{kind!r} is not one of {list(RULES)}")
    text = str(raw.get("text") or "").strip()
    if not text:
        raise _fail(f"{where}.text", "the rule text is required")
    days, months = raw.get("days"), raw.get("months")
    for name, number in (("days", days), ("months", months)):
        if number is not None and (isinstance(number, bool) or not isinstance(number, int)
                                   or number < 0):
            raise _fail(f"{where}.{name}", f"expected a whole number, got {number!r}")
    date = _date(raw.get("date"), f"{where}.date")
    if kind == "fixed" and date is None:
        raise _fail(f"{where}.date", "a fixed rule needs its date")
    if kind == "after_publication" and (days is None) == (months is None):
        raise _fail(where, "an after_publication rule needs exactly one of days or months")
    verified = raw.get("verified", True)
    if not isinstance(verified, bool):
        raise _fail(f"{where}.verified", "expected true or false")
    return EffectiveRule(kind, text, days, months, date, raw.get("of"), verified)


def _strings(raw: Any, where: str) -> tuple[str, ...]:
    if not isinstance(raw, list) or not raw or not all(isinstance(p, str) and p.strip()
                                                       for p in raw):
        raise _fail(where, "expected a non-empty list of provisions")
    return tuple(normalize_provision(p) for p in raw)


def _provision_rules(raw: Any, where: str) -> tuple[ProvisionRule, ...]:
    rules = []
    for n, entry in enumerate(raw or []):
        here = f"{where}[{n}]"
        effective = _rule(entry["effective"], f"{here}.effective") if "effective" in entry else None
        until = _rule(entry["until"], f"{here}.until") if "until" in entry else None
        if effective is None and until is None:
            raise _fail(here, "a provision rule needs `effective` or `until`")
        rules.append(ProvisionRule(_strings(entry.get("provisions"), f"{here}.provisions"),
                                   str(entry.get("clause", "")), effective, until,
                                   str(entry.get("note", "")).strip()))
    return tuple(rules)


def _suspensions(raw: Any, where: str) -> tuple[ProvisionRule, ...]:
    rules = _provision_rules(raw, where)
    for n, rule in enumerate(rules):
        if rule.until is None or rule.effective is not None:
            raise _fail(f"{where}[{n}]", "a suspension has an `until` and no `effective`")
    return rules


def _basis(raw: Any, where: str) -> Citation:
    if not isinstance(raw, Mapping) or set(raw) - {"act", "locator"} or not raw.get("act"):
        raise _fail(where, f"expected {{act, locator}}, got {raw!r}")
    return Citation(str(raw["act"]), str(raw.get("locator", "")))


def _parse_act(act_id: str, raw: Any) -> Act:
    if not isinstance(raw, Mapping):
        raise _fail(act_id, "expected a mapping")
    unknown = set(raw) - _ACT_KEYS
    if unknown:
        raise _fail(act_id, f"unknown keys {sorted(unknown)}")
    if raw.get("kind") not in KINDS:
        raise _fail(f"{act_id}.kind", f"{raw.get('kind')!r} is not one of {list(KINDS)}")
    short = str(raw.get("short") or "").strip()
    title = raw.get("title") or {}
    if not short or not isinstance(title, Mapping) or not title.get("en"):
        raise _fail(act_id, "`short` and `title.en` are required")
    registration = raw.get("registration") or {}
    published = raw.get("published") or {}
    pub_date = _date(published.get("date"), f"{act_id}.published.date")
    entry = raw.get("entry_into_force") or {"rule": "unknown", "text": "not recorded"}
    by = raw.get("in_force_by") or {}
    amendments = []
    for n, item in enumerate(raw.get("amendments") or []):
        here = f"{act_id}.amendments[{n}]"
        changes = []
        for k, change in enumerate(item.get("changes") or []):
            there = f"{here}.changes[{k}]"
            action = change.get("action")
            if action not in ACTIONS:
                raise _fail(f"{there}.action", f"{action!r} is not one of {list(ACTIONS)}")
            changes.append(Change(_strings(change.get("provisions"), f"{there}.provisions"),
                                  action, _rule(change.get("effective"), f"{there}.effective"),
                                  str(change.get("note", "")).strip()))
        if not item.get("by") or not changes:
            raise _fail(here, "an amendment needs `by` and at least one change")
        amendments.append(Amendment(act_id, item["by"], tuple(changes),
                                    str(item.get("note", "")).strip()))
    abolished = None
    if raw.get("abolished"):
        item = raw["abolished"]
        abolished = Abolition(item["by"], str(item.get("clause", "")),
                              _rule(item.get("effective"), f"{act_id}.abolished.effective"))
    return Act(
        id=act_id, kind=raw["kind"], short=short, title=" ".join(str(title["en"]).split()),
        title_ru=title.get("ru"), number=str(raw["number"]) if raw.get("number") else None,
        adopted=_date(raw.get("adopted"), f"{act_id}.adopted"),
        issuer=" ".join(str(raw["issuer"]).split()) if raw.get("issuer") else None,
        registration_date=_date(registration.get("date"), f"{act_id}.registration.date"),
        registration_number=(str(registration["number"]) if registration.get("number")
                             else None),
        seed=raw.get("seed"),
        rests_on=tuple(_basis(r, f"{act_id}.rests_on") for r in raw.get("rests_on") or []),
        published=Publication(pub_date, bool(published.get("verified", False)),
                              str(published.get("note") or "").strip()),
        entry_into_force=_rule(entry, f"{act_id}.entry_into_force"),
        entry_clause=str(entry.get("clause", "")),
        in_force_by=_date(by.get("date"), f"{act_id}.in_force_by.date"),
        in_force_by_note=" ".join(str(by.get("note", "")).split()),
        provisions=_provision_rules(raw.get("provisions"), f"{act_id}.provisions"),
        suspensions=_suspensions(raw.get("suspensions"), f"{act_id}.suspensions"),
        amendments=tuple(amendments), abolished=abolished,
        note=" ".join(str(raw.get("note", "")).split()),
    )


def parse_registry(data: Any) -> dict[str, Act]:
    """Build and cross-check the registry from parsed YAML (tests feed it bad data)."""
    if not isinstance(data, Mapping) or not data:
        raise _fail("registry", "expected a mapping of act ids")
    acts = {}
    for act_id, raw in data.items():
        Citation(str(act_id))  # the id must be usable in a citation
        acts[str(act_id)] = _parse_act(str(act_id), raw)
    for act in acts.values():
        refs = [(f"{act.id}.rests_on", c.act) for c in act.rests_on]
        refs += [(f"{act.id}.amendments", a.by) for a in act.amendments]
        refs += [(f"{act.id}.amendments", c.effective.of) for a in act.amendments
                 for c in a.changes if c.effective.of]
        if act.abolished:
            refs.append((f"{act.id}.abolished.by", act.abolished.by))
            if act.abolished.effective.of:
                refs.append((f"{act.id}.abolished.effective.of", act.abolished.effective.of))
        for where, ref in refs:
            if ref not in acts:
                raise _fail(where, f"refers to unknown act {ref!r}")
    return acts


@cache
def _registry() -> dict[str, Act]:
    text = (resources.files("kzreg.law") / "data" / "acts.yaml").read_text(encoding="utf-8")
    return parse_registry(yaml.safe_load(text))


def get_act(act_id: str) -> Act:
    try:
        return _registry()[act_id]
    except KeyError:
        raise NotFound(f"no act {act_id!r} (see `kzreg acts list`)", field="act") from None


def all_acts() -> list[Act]:
    return list(_registry().values())


def amendments_by(act_id: str) -> list[Amendment]:
    """The amendments an act made to other acts (e.g. Law 177-VII: to 86-VII and 236-VI)."""
    get_act(act_id)
    return [a for act in all_acts() for a in act.amendments if a.by == act_id]


# --- resolving dates -------------------------------------------------------------------

def _setting(name: str) -> Any:
    return setting(name)


def _setting_use(name: str) -> ParameterUse:
    return get_setting(name).use()


def publication(act_id: str) -> Publication:
    """The act's first official publication: from the deployment setting, else the data."""
    act = get_act(act_id)
    supplied = (_setting(PUBLICATION_DATES) or {}).get(act_id)
    if supplied is not None:
        try:
            date = _date(supplied, act_id, required=True)
        except InputError as exc:
            raise InputError(exc.message, field=f"settings.{PUBLICATION_DATES}.{act_id}") from None
        return Publication(date, True, f"supplied by setting {PUBLICATION_DATES}")
    note = act.published.note or ("the date of first official publication is not in the "
                                  "text and was not sourced")
    return Publication(act.published.date, act.published.verified, note)


def _add_months(day: dt.date, months: int) -> dt.date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _count_from(published: dt.date, rule: EffectiveRule) -> dt.date:
    if rule.rule == "on_publication":
        return published
    if rule.months is not None:
        day = _add_months(published, rule.months)
    else:
        day = published + dt.timedelta(days=rule.days or 0)
    if _setting(COUNTING) == "publication_plus_n_plus_1":
        day += dt.timedelta(days=1)
    return day


def _earliest_publication(act: Act) -> dt.date | None:
    # An act is published after it is adopted, and a registered order after registration.
    return act.registration_date or act.adopted


def resolve(rule: EffectiveRule, act_id: str, citation: Citation | None = None) -> EffectiveDate:
    """Turn a rule into a date, counting from the publication of `rule.of` (else `act_id`)."""
    if rule.rule == "fixed":
        return EffectiveDate(rule.date, rule.verified, rule.text, citation=citation)
    if rule.rule == "unknown":
        return EffectiveDate(None, False, rule.text, citation=citation,
                             note="the act's text does not settle the date")
    source = get_act(rule.of or act_id)
    pub = publication(source.id)
    if pub.date is not None:
        return EffectiveDate(_count_from(pub.date, rule), pub.verified, rule.text,
                             citation=citation,
                             note=f"counted from publication of {source.short} on "
                                  f"{pub.date.isoformat()} ({pub.note or 'recorded'})")
    earliest = _earliest_publication(source)
    bound = _count_from(earliest, rule) if earliest else None
    return EffectiveDate(None, False, rule.text, bound, citation,
                         f"{source.short}: {pub.note}")


def entry_into_force(act_id: str) -> EffectiveDate:
    act = get_act(act_id)
    return resolve(act.entry_into_force, act_id, act.cite(act.entry_clause))


def abolition(act_id: str) -> EffectiveDate | None:
    """The first day the act no longer applies, or None if it has not been abolished."""
    act = get_act(act_id)
    if act.abolished is None:
        return None
    return resolve(act.abolished.effective, act.abolished.by,
                   act.cite(act.abolished.clause))


def _end_from_until(rule: EffectiveRule, act_id: str, citation: Citation) -> EffectiveDate:
    """'until D': the first day out of force is D (exclusive reading) or D + 1 (inclusive)."""
    end = resolve(rule, act_id, citation)
    if end.date is not None and not _setting(UNTIL_EXCLUSIVE):
        return EffectiveDate(end.date + dt.timedelta(days=1), end.verified, end.rule,
                             citation=citation, note="'until' read as inclusive")
    return end


def _reached(start: EffectiveDate, on: dt.date) -> bool | None:
    """Has `start` happened by `on`? None when it cannot be told."""
    if start.date is not None:
        return on >= start.date
    if start.not_before is not None and on < start.not_before:
        return False
    return None


def _date_use(name: str, eff: EffectiveDate) -> ParameterUse:
    return ParameterUse(name, eff.date if eff.date else str(eff), source=eff.citation,
                        verified=eff.verified and eff.date is not None, kind="date")


def _check_on(on: Any) -> dt.date:
    if isinstance(on, dt.datetime) or not isinstance(on, dt.date):
        raise InputError("expected a calendar date (the local day in Asia/Almaty)", field="on")
    return on


# --- is the act in force? -------------------------------------------------------------

def explain_in_force(act_id: str, on: dt.date) -> Explained[bool | None]:
    """Was the act in force on `on`? True, False, or None (cannot be determined), with why."""
    on = _check_on(on)
    act = get_act(act_id)
    trace = Trace(rule="acts.in_force", as_of=on)
    start = entry_into_force(act_id)
    started = _reached(start, on)
    uses = [_date_use(f"{act_id}.entry_into_force", start)]
    if act.entry_into_force.rule == "after_publication":
        uses.append(_setting_use(COUNTING))
    trace.step(f"{act.short} enters into force: {start.rule}", str(start),
               citation=start.citation, inputs={"on": on}, parameters=uses)
    if started is None and act.in_force_by is not None and on >= act.in_force_by:
        started = True
        trace.step(f"{act.short} was in force by {act.in_force_by.isoformat()}: "
                   f"{act.in_force_by_note}", True,
                   parameters=[ParameterUse(f"{act_id}.in_force_by", act.in_force_by,
                                            verified=False, kind="date")])
    ended: bool | None = False
    end = abolition(act_id)
    if end is not None and act.abolished is not None:
        ended = _reached(end, on)
        by = get_act(act.abolished.by)
        uses = [_date_use(f"{act_id}.abolished", end)]
        if act.abolished.effective.rule == "after_publication":
            uses.append(_setting_use(COUNTING))
        trace.step(f"{act.short} abolished by {by.label}: {end.rule}", str(end),
                   citation=end.citation, parameters=uses)
    if started is False:
        value, why = False, f"not yet in force on {on.isoformat()}"
    elif ended is True:
        value, why = False, f"no longer in force on {on.isoformat()}"
    elif started is True and ended is False:
        value, why = True, f"in force on {on.isoformat()}"
    else:
        missing = start if started is None or end is None else end
        value, why = None, (f"cannot tell whether {act.short} was in force on "
                            f"{on.isoformat()}: {missing.note}")
    trace.step(why, value)
    return trace.done(value)


def in_force(act_id: str, on: dt.date) -> bool:
    """True/False; raises InForceUnknown (a NotInForce) when the data cannot tell."""
    result = explain_in_force(act_id, on)
    if result.value is None:
        raise InForceUnknown(result.steps[-1].description, field="on",
                             citation=entry_into_force(act_id).citation)
    return result.value


# --- provisions with their own dates ---------------------------------------------------

def normalize_provision(text: str) -> str:
    """'Article 22' / 'Art. 22' / 'Art  22' -> 'Art 22'."""
    words = " ".join(str(text).split())
    for long in ("Article ", "Art. "):
        if words.startswith(long):
            words = "Art " + words[len(long):]
    return words


def covers(rule_provision: str, provision: str) -> bool:
    """Does a rule about `rule_provision` apply to `provision`? ('Art 22' covers 'Art 22 p.5'
    but 'Art 2' does not cover 'Art 22', nor 'Art 51' cover 'Art 51-1')."""
    if provision == rule_provision:
        return True
    return provision.startswith(rule_provision) and provision[len(rule_provision)] in " (.,"


def explain_provision_in_force(act_id: str, provision: str,
                               on: dt.date) -> Explained[bool | None]:
    """Was `provision` of the act in force on `on`? Uses the act's own clause on provisions
    with their own dates, insertions and exclusions by amendments, and the act's abolition."""
    on = _check_on(on)
    act = get_act(act_id)
    if not str(provision or "").strip():
        raise InputError("name the provision, e.g. 'Art 51-1'", field="provision")
    provision = normalize_provision(provision)
    trace = Trace(rule="acts.provision_in_force", as_of=on)
    whole = trace.include(explain_in_force(act_id, on))
    starts: list[bool | None] = [whole]
    ends: list[bool | None] = []
    for own in act.provisions:
        for name in own.provisions:
            if not covers(name, provision):
                continue
            cite = act.cite(own.clause)
            if own.effective is not None:
                eff = resolve(own.effective, act_id, cite)
                starts.append(_reached(eff, on))
                trace.step(f"{name} has its own start: {eff.rule}", str(eff), citation=cite,
                           parameters=[_date_use(f"{act_id}:{name}.effective", eff)])
            if own.until is not None:
                end = _end_from_until(own.until, act_id, cite)
                ends.append(_reached(end, on))
                trace.step(f"{name} has its own end: {end.rule}", str(end), citation=cite,
                           parameters=[_date_use(f"{act_id}:{name}.until", end),
                                       _setting_use(UNTIL_EXCLUSIVE)])
    for amendment in act.amendments:
        by = get_act(amendment.by)
        for change in amendment.changes:
            if change.action not in ("inserted", "excluded"):
                continue
            for name in change.provisions:
                if not covers(name, provision):
                    continue
                eff = resolve(change.effective, amendment.by, act.cite(name))
                (starts if change.action == "inserted" else ends).append(_reached(eff, on))
                trace.step(f"{by.label} {change.action} {name}: {eff.rule}", str(eff),
                           citation=act.cite(name),
                           parameters=[_date_use(f"{amendment.by}:{name}", eff)])
    if any(s is False for s in starts):
        value: bool | None = False
    elif any(e is True for e in ends):
        value = False
    elif all(s is True for s in starts) and all(e is False for e in ends):
        value = True
    else:
        value = None
    broader = [name for rule in act.provisions for name in rule.provisions
               if covers(provision, name) and name != provision]
    if broader:
        trace.step(f"parts of {provision} have their own dates: {', '.join(broader)}", None)
    text = {True: "in force", False: "not in force", None: "cannot be determined"}[value]
    trace.step(f"{act.short} {provision} on {on.isoformat()}: {text}", value)
    return trace.done(value)


def provision_in_force(act_id: str, provision: str, on: dt.date) -> bool:
    result = explain_provision_in_force(act_id, provision, on)
    if result.value is None:
        raise InForceUnknown(f"cannot tell whether {get_act(act_id).short} {provision} was "
                             f"in force on {on.isoformat()} (see `kzreg acts show {act_id} "
                             f"--on {on.isoformat()}`)", field="on")
    return result.value


# --- which version applied on a date -------------------------------------------------

@dataclass(frozen=True)
class DatedChange:
    by: str                       # amending act id
    label: str                    # 'Law 188-VIII of 19.05.2025'
    provisions: tuple[str, ...]
    action: str
    effective: EffectiveDate


@dataclass(frozen=True)
class ActVersion:
    """Which version of an act applied on a date."""

    act: str
    on: dt.date
    in_force: bool | None
    label: str                                  # 'as amended by Law 188-VIII of 19.05.2025'
    applied: tuple[DatedChange, ...] = ()       # amendments in force on the date
    pending: tuple[DatedChange, ...] = ()       # not yet in force on the date
    undetermined: tuple[DatedChange, ...] = ()  # cannot tell
    not_yet_in_force: tuple[str, ...] = ()      # provisions that did not yet apply
    no_longer_in_force: tuple[str, ...] = ()    # provisions that had ceased to apply
    seed_wording: bool | None = None            # does the seed's consolidated text apply?
    notes: tuple[str, ...] = field(default_factory=tuple)


def version_on(act_id: str, on: dt.date) -> ActVersion:
    """The amendments in force on `on`, a label for the version, and what was not yet in force.

    The seeds are consolidated texts (the latest wording). Where an amendment was not yet in
    force on the date, the wording that applied is not in the seed: `seed_wording` is False
    and the provisions concerned are listed in `pending`.
    """
    on = _check_on(on)
    act = get_act(act_id)
    status = explain_in_force(act_id, on).value
    applied, pending, undetermined = [], [], []
    ordered = sorted(act.amendments, key=lambda a: get_act(a.by).adopted or dt.date.min)
    for amendment in ordered:
        for change in amendment.changes:
            eff = resolve(change.effective, amendment.by, act.cite(change.provisions[0]))
            item = DatedChange(amendment.by, amendment.label, change.provisions,
                               change.action, eff)
            {True: applied, False: pending, None: undetermined}[_reached(eff, on)].append(item)
    not_yet, ceased, notes = [], [], []
    for own in act.provisions:
        cite = act.cite(own.clause)
        if own.effective is not None and _reached(resolve(own.effective, act_id, cite),
                                                  on) is False:
            not_yet.extend(own.provisions)
        if own.until is not None and _reached(_end_from_until(own.until, act_id, cite),
                                              on) is True:
            ceased.extend(own.provisions)
    for item in pending:
        if item.action == "inserted":
            not_yet.extend(item.provisions)
    for item in applied:
        if item.action == "excluded":
            ceased.extend(item.provisions)
    for suspension in act.suspensions:
        if suspension.until is None:
            continue
        end = _end_from_until(suspension.until, act_id, act.cite(suspension.clause))
        if _reached(end, on) is False:
            notes.append(f"{', '.join(suspension.provisions)}: suspended; the interim wording "
                         f"of {suspension.clause} applies ({suspension.note})")
    if undetermined:
        who = ", ".join(dict.fromkeys(c.label for c in undetermined))
        notes.append(f"whether amendments by {who} applied on {on.isoformat()} cannot be "
                     "determined (publication dates not recorded)")
    seed_wording = False if pending else (None if undetermined else True)
    return ActVersion(act_id, on, status, _version_label(status, applied, pending,
                                                         undetermined),
                      tuple(applied), tuple(pending), tuple(undetermined),
                      tuple(dict.fromkeys(not_yet)), tuple(dict.fromkeys(ceased)),
                      seed_wording, tuple(notes))


def _version_label(status: bool | None, applied: list[DatedChange],
                   pending: list[DatedChange], undetermined: list[DatedChange]) -> str:
    if status is False:
        return "not in force"
    if not applied:
        label = "original wording"
    else:
        last = applied[-1]
        partial = any(c.by == last.by for c in pending + undetermined)
        label = f"as amended by {last.label}" + (" (in part)" if partial else "")
    return label if status else f"{label}; in force: cannot be determined"


# --- small helpers for the CLI and the docs ---------------------------------------------

def unverified_dates(act_id: str) -> list[str]:
    """Human lines naming every date of the act that is unknown or unverified."""
    act = get_act(act_id)
    lines = []
    start = entry_into_force(act_id)
    if not (start.known and start.verified) and act.entry_into_force.rule != "unknown":
        lines.append(f"entry into force {start}: {start.note or start.rule}")
    end = abolition(act_id)
    if end is not None and not (end.known and end.verified):
        lines.append(f"abolition {end}: {end.note}")
    if act.in_force_by:
        lines.append(f"in force by {act.in_force_by.isoformat()} (UNVERIFIED inference): "
                     f"{act.in_force_by_note}")
    return lines


def iter_dated_changes(act_id: str) -> Iterable[DatedChange]:
    act = get_act(act_id)
    for amendment in sorted(act.amendments, key=lambda a: get_act(a.by).adopted or dt.date.min):
        for change in amendment.changes:
            yield DatedChange(amendment.by, amendment.label, change.provisions, change.action,
                              resolve(change.effective, amendment.by,
                                      act.cite(change.provisions[0])))
