"""The module rooms of the workplace: one per legal act.

A room plugs in by naming its router module here (one line). The module exposes
`router: fastapi.APIRouter` with absolute paths: pages under `/<name>/`, API under
`/api/<name>/`. Until the module exists the dashboard still shows the room's card and
`/<name>/` answers with a polite "not yet available" page.
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass

from fastapi import APIRouter

from kzreg.platform.actors import Role
from kzreg.web.i18n import N_

log = logging.getLogger(__name__)

_ALL_OFFICIALS = frozenset({Role.ADMIN, Role.AUDITOR})


@dataclass(frozen=True)
class Room:
    name: str              # URL segment and module package
    title: str             # English message id, translated on the page
    summary: str           # one line under the title, translated too
    act: str               # act id of the act the room carries out
    citation: str          # how the act is cited on the card
    router_module: str     # module exposing `router`
    roles: frozenset[Role]  # who sees the card (administrators and auditors see all)

    @property
    def path(self) -> str:
        return f"/{self.name}/"

    def visible_to(self, role: Role) -> bool:
        return role in _ALL_OFFICIALS or role in self.roles


ROOMS: tuple[Room, ...] = (
    Room("escort", N_("Customs escort"),
         N_("Navigation seals, trips, non-routine situations, deactivation"),
         "order-407", N_("Order No 407 of 28.04.2021"), "kzreg.escort.api",
         frozenset({Role.CUSTOMS_HEAD, Role.CUSTOMS_OFFICER, Role.OPERATOR, Role.CARRIER,
                    Role.DECLARANT})),
    Room("assembly", N_("Industrial assembly of vehicles"),
         N_("Agreements, localization scoring, letters of confirmation"),
         "order-493", N_("Order No 493 of 23.09.2020"), "kzreg.assembly.api",
         frozenset({Role.INDUSTRY_OFFICER, Role.MANUFACTURER})),
    Room("risk", N_("Risk assessment and inspections"),
         N_("Risk degree, inspection plans, checklists"),
         "jo-1199-826", N_("Joint order No 1199/826"), "kzreg.risk.api",
         frozenset({Role.INSPECTOR})),
    Room("producers", N_("Industrial policy"),
         N_("Register of domestic producers, state incentives, industrial contracts"),
         "law-86-VII", N_("Law No 86-VII on industrial policy"), "kzreg.producers.api",
         frozenset({Role.INDUSTRY_OFFICER, Role.MANUFACTURER, Role.CONTRACTOR})),
    Room("defense", N_("State defense order"),
         N_("Defense order, registers, contracts, acceptance"),
         "law-236-VI", N_("Law No 236-VI on the defense industry"), "kzreg.defense.api",
         frozenset({Role.DEFENSE_OFFICER, Role.CONTRACTOR})),
)


def get_room(name: str) -> Room | None:
    return next((room for room in ROOMS if room.name == name), None)


def load_router(room: Room) -> APIRouter | None:
    """The room's router, or None while its module has not landed.

    Only the absence of the room's own module means "not yet"; an error inside an existing
    module is a bug and is raised."""
    try:
        module = importlib.import_module(room.router_module)
    except ModuleNotFoundError as exc:
        missing = exc.name or ""
        if room.router_module == missing or room.router_module.startswith(missing + "."):
            return None
        raise
    router = getattr(module, "router", None)
    if not isinstance(router, APIRouter):
        log.warning("%s has no `router`; room %s not mounted", room.router_module, room.name)
        return None
    return router
