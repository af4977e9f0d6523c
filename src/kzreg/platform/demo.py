"""Demo data: a user for every role, demo companies with valid BINs, each module's cases.

`load_demo()` is idempotent: what exists is left alone, so running it twice changes
nothing. Rooms add their demo cases in `kzreg.<room>.demo` with `load(session)` (found by
convention, kzreg.platform.plugins); other loaders can be appended to `DEMO_LOADERS` as a
`"module:function"` path or a callable. Each takes the session and returns a line for the
report (or None), and must be idempotent too.

The accounts share one documented password, printed by `kzreg demo load`; the companies,
people and office codes are invented.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from kzreg.law.identifiers import control_digit
from kzreg.platform.actors import Role
from kzreg.platform.users import create_user, find_user

DEMO_PASSWORD = "kzreg-demo"

# Customs office codes in the national 5-digit form (invented for the demo).
OFFICE_ALMATY = "50511"
OFFICE_KHORGOS = "51730"

DemoLoader = Callable[[Session], "str | None"]
DEMO_LOADERS: list[str | DemoLoader] = []


def make_bin(registered: str, serial: str, *, entity: str = "4", division: str = "0") -> str:
    """A valid BIN: YYMM of registration, entity type (4 = resident legal entity), division
    (0 = head organisation), 5-digit serial, control digit. Serials whose prefix is never
    issued (no control digit) are stepped over."""
    number = int(serial)
    while True:
        prefix = f"{registered}{entity}{division}{number:05d}"
        digit = control_digit(prefix)
        if digit is not None:
            return f"{prefix}{digit}"
        number += 1


@dataclass(frozen=True)
class Company:
    key: str
    name: str
    bin: str


COMPANIES: tuple[Company, ...] = (
    Company("steppe-motors", "Steppe Motors LLP", make_bin("1503", "01234")),
    Company("altyn-machinery", "Altyn Machinery LLP", make_bin("1808", "04521")),
    Company("kerueen", "Kerueen Logistics LLP", make_bin("1211", "00777")),
    Company("shekara", "Shekara Trade LLP", make_bin("1906", "02390")),
    Company("qorgan", "Qorgan Defense Systems JSC", make_bin("0907", "00315")),
)
_COMPANY = {c.key: c for c in COMPANIES}


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: Role
    full_name: str
    company: str | None = None
    offices: tuple[str, ...] = ()
    clearance: int = 0
    language: str = "ru"
    email: str | None = None

    @property
    def bin(self) -> str | None:
        return _COMPANY[self.company].bin if self.company else None

    def scope(self) -> str:
        if self.company:
            return f"{_COMPANY[self.company].name}, BIN {self.bin}"
        if self.offices:
            return "customs office " + ", ".join(self.offices)
        if self.clearance:
            return f"clearance {self.clearance}"
        return ""


USERS: tuple[DemoUser, ...] = (
    DemoUser("admin", Role.ADMIN, "Айгерим Сапарова", language="en"),
    DemoUser("auditor", Role.AUDITOR, "Ерлан Жақсыбеков"),
    DemoUser("industry", Role.INDUSTRY_OFFICER, "Данияр Әбілов", language="kk"),
    DemoUser("customs.almaty", Role.CUSTOMS_OFFICER, "Асқар Нұрланұлы",
             offices=(OFFICE_ALMATY,)),
    DemoUser("customs.khorgos", Role.CUSTOMS_OFFICER, "Гүлнар Оспанова",
             offices=(OFFICE_KHORGOS,)),
    DemoUser("customs.head", Role.CUSTOMS_HEAD, "Бауыржан Төлеуов", offices=(OFFICE_ALMATY,)),
    DemoUser("operator", Role.OPERATOR, "Мәдина Қасымова"),
    DemoUser("inspector", Role.INSPECTOR, "Серік Омаров"),
    DemoUser("defense", Role.DEFENSE_OFFICER, "Полковник Ғалым Иманов", clearance=2),
    DemoUser("manufacturer", Role.MANUFACTURER, "Ольга Ким", company="steppe-motors"),
    DemoUser("manufacturer2", Role.MANUFACTURER, "Тимур Ахметов", company="altyn-machinery"),
    DemoUser("carrier", Role.CARRIER, "Нұржан Сейітов", company="kerueen"),
    DemoUser("declarant", Role.DECLARANT, "Анна Попова", company="shekara"),
    DemoUser("contractor", Role.CONTRACTOR, "Қайрат Бекенов", company="qorgan", clearance=1),
)


@dataclass
class DemoReport:
    created: list[str] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)
    modules: list[str] = field(default_factory=list)


def _loader(entry: str | DemoLoader) -> DemoLoader:
    if callable(entry):
        return entry
    module, _, name = entry.partition(":")
    return getattr(importlib.import_module(module), name or "load")


def load_demo(session: Session) -> DemoReport:
    """Create what is missing of the demo; leave everything else as it is."""
    report = DemoReport()
    for person in USERS:
        if find_user(session, person.username) is not None:
            report.existing.append(person.username)
            continue
        create_user(session, person.username, person.role, DEMO_PASSWORD, bin=person.bin,
                    offices=person.offices, clearance=person.clearance,
                    email=person.email or f"{person.username}@demo.kzreg.invalid",
                    full_name=person.full_name, language=person.language)
        report.created.append(person.username)
    session.flush()
    from kzreg.platform.plugins import room_module_names

    for entry in (*(f"{name}:load" for name in room_module_names("demo")), *DEMO_LOADERS):
        line = _loader(entry)(session)
        if line:
            report.modules.append(line)
    return report
