"""Server-rendered pages: one Jinja2 environment, translated per request.

Templates call `_("English text")` (and `_("… %(n)s …", n=…)`); the language is the
visitor's. Rooms may add their own template folders with `add_template_dir()`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, select_autoescape

import kzreg
from kzreg.platform.actors import Role
from kzreg.web import i18n
from kzreg.web.i18n import N_

ALMATY = ZoneInfo("Asia/Almaty")

ROLE_TITLES: dict[Role, str] = {
    Role.ADMIN: N_("Administrator"),
    Role.AUDITOR: N_("Auditor"),
    Role.INDUSTRY_OFFICER: N_("Officer of the authorized body for industry"),
    Role.CUSTOMS_HEAD: N_("Head of a customs office"),
    Role.CUSTOMS_OFFICER: N_("Customs officer"),
    Role.OPERATOR: N_("National operator"),
    Role.INSPECTOR: N_("Inspector"),
    Role.DEFENSE_OFFICER: N_("Defense officer"),
    Role.MANUFACTURER: N_("Manufacturer"),
    Role.CARRIER: N_("Carrier"),
    Role.DECLARANT: N_("Declarant"),
    Role.CONTRACTOR: N_("Contractor"),
    Role.SYSTEM: N_("System"),
}

_loaders: list[Any] = [PackageLoader("kzreg.web", "templates")]
env = Environment(loader=ChoiceLoader(_loaders), autoescape=select_autoescape(),
                  extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True)
env.install_null_translations(newstyle=True)


def add_template_dir(path: str) -> None:
    """Let a room render its own templates (they may extend `base.html`)."""
    _loaders.append(FileSystemLoader(path))


def translator(language: str) -> Callable[..., str]:
    catalogue = i18n.translations(language)

    def _(message: str, **values: Any) -> str:
        text = catalogue.gettext(message)
        return text % values if values else text

    return _


def local_time(value: dt.datetime | None, fmt: str = "%d.%m.%Y %H:%M") -> str:
    """An instant as people in Kazakhstan read it (Almaty time)."""
    if value is None:
        return ""
    return value.astimezone(ALMATY).strftime(fmt)


def deadline_time(value: dt.datetime | None) -> str:
    """A deadline's first late instant as the last moment allowed: a term that runs out at
    local midnight is shown as 23:59 of its last day, the way people read "until 16.11"."""
    if value is None:
        return ""
    local = value.astimezone(ALMATY)
    if (local.hour, local.minute, local.second) == (0, 0, 0):
        local -= dt.timedelta(minutes=1)
    return local.strftime("%d.%m.%Y %H:%M")


env.filters["local_time"] = local_time
env.filters["deadline_time"] = deadline_time


def render(request: Request, template: str, context: dict[str, Any] | None = None, *,
           status_code: int = 200, headers: dict[str, str] | None = None,
           visitor: Any = None) -> HTMLResponse:
    """Render a page for the request's visitor (language, CSRF token, signed-in user)."""
    from kzreg.web.auth import ANON_COOKIE, set_cookie, visitor_for_errors

    visitor = visitor or visitor_for_errors(request)
    _ = translator(visitor.language)
    values = {
        "request": request, "visitor": visitor, "_": _, "gettext": _,
        "pgettext": i18n.pgettext_for(visitor.language),
        "lang": visitor.language, "languages": i18n.LANGUAGES,
        "csrf_token": visitor.csrf, "version": kzreg.__version__,
        "role_title": (_(ROLE_TITLES[visitor.actor.role]) if visitor.actor else ""),
        "role_titles": {r.value: _(t) for r, t in ROLE_TITLES.items()},
        "now": dt.datetime.now(dt.UTC),
        "current_path": request.url.path,
    }
    values.update(context or {})
    html = env.get_template(template).render(values)
    response = HTMLResponse(html, status_code=status_code, headers=headers)
    if visitor.anon_cookie:
        set_cookie(request, response, ANON_COOKIE, visitor.anon_cookie)
    return response
