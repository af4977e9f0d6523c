"""Who may do what: every route of `create_app()` asked by every principal (signed out,
expired, revoked, each role, another BIN, another customs office, a lower clearance) must
answer exactly as `access_matrix.yaml` says. See that file's header for the rules.

A route the matrix does not name fails `test_every_route_is_in_the_matrix`, so no endpoint
goes live unreviewed. To add rows for new routes (e.g. a room's new endpoints):

1. run `pytest tests/security/test_access_matrix.py -k every_route`: it prints the missing
   routes as YAML lines; paste them under `routes:` in access_matrix.yaml, in the room's
   section;
2. give each what the rules cannot derive: `params` for path values the defaults do not
   cover (add the thing to `_subjects` in world.py if the demo lacks it, e.g. a defense
   case of clearance 2 so that `low_clearance_defense` is refused), `viewers` (who sees
   the thing: others 404), `roles` (who may act: others 403; `role_first` where the
   service refuses the role before it looks the thing up), `body_first` where the body is
   validated before the role, `reads` for calculators, `ok` for a non-200 success; prefer a
   `body` that passes validation and is refused later by the law, so the gates are asked;
3. run the matrix for the room, `-k "defense"`, and read each failing cell: either the
   row is wrong, or the route has a hole — then keep the row as it should be and add the
   cells to `holes:` with the fix (they run as strict xfail until it lands).

The PostgreSQL variant runs the routes that name a case or document (scope is SQL there).
"""

from __future__ import annotations

import pytest

from kzreg.web.app import create_app, route_table
from security.matrix import expected, holes, observe, routes, verdict
from security.world import PRINCIPALS

APP_ROUTES = set(route_table(create_app()))
HOLES = holes()


def _cells(only_scoped: bool = False) -> list:
    cells = []
    for route in routes():
        if (route.method, route.path) not in APP_ROUTES:
            continue  # a stale row: test_every_route_is_in_the_matrix says so
        if only_scoped and "{" not in route.path:
            continue
        for principal in PRINCIPALS:
            hole = HOLES.get((route.key, principal))
            marks = [pytest.mark.xfail(strict=True, reason=hole)] if hole else []
            cells.append(pytest.param(route, principal, marks=marks,
                                      id=f"{route.key} as {principal}"))
    return cells


def _check(world, route, principal) -> None:
    want = expected(route, principal)
    problem = verdict(route, observe(world, route, principal), want)
    assert problem is None, f"{route.key} as {principal}: {problem}"


def test_every_route_is_in_the_matrix():
    named = {(r.method, r.path) for r in routes()}
    missing = sorted(APP_ROUTES - named, key=lambda mp: (mp[1], mp[0]))
    stale = sorted(named - APP_ROUTES)
    lines = "\n".join(f"  {m} {p}: {{}}" for m, p in missing)
    assert not missing, f"routes the access matrix does not classify:\n{lines}"
    assert not stale, f"the matrix names routes that no longer exist: {stale}"


def test_every_hole_names_known_routes_and_principals():
    keys = {r.key for r in routes()}
    for key, principal in HOLES:
        assert key in keys and principal in PRINCIPALS, (key, principal)


def test_the_rules_give_the_project_conventions():
    """The rule engine itself: signed out, room gate, scope, auditors, roles."""
    by_key = {r.key: r for r in routes()}
    agreement = by_key["GET /api/assembly/agreements/{case_id}"]
    assert expected(agreement, "anon") == 401 and expected(agreement, "revoked") == 401
    assert expected(by_key["GET /escort/"], "expired") == "login"
    assert expected(agreement, "carrier") == 403                    # not the carrier's room
    assert expected(agreement, "manufacturer") == 200
    assert expected(agreement, "other_bin_manufacturer") == 404     # another BIN's case
    assert expected(by_key["GET /escort/{escort_id}"], "other_office_customs") == 404
    act = by_key["POST /api/assembly/agreements/{case_id}/actions/{transition}"]
    assert expected(act, "auditor") == 403 and expected(act, "industry_officer") == 403
    assert expected(by_key["GET /health"], "anon") == 200
    order = by_key["GET /api/defense/orders/{order_id}"]                # top secret, Qorgan's
    assert expected(order, "contractor") == 200
    assert expected(order, "other_bin_contractor") == 404
    assert expected(order, "low_clearance_defense") == 404              # Art 25 sub 3
    lines = by_key["POST /api/defense/orders/{order_id}/lines"]
    assert expected(lines, "other_bin_contractor") == 403               # role first
    assert expected(lines, "low_clearance_defense") == 404


@pytest.mark.parametrize(("route", "principal"), _cells())
def test_matrix_sqlite(world_factory, route, principal):
    _check(world_factory("sqlite"), route, principal)


@pytest.mark.postgres
@pytest.mark.parametrize(("route", "principal"), _cells(only_scoped=True))
def test_matrix_postgresql(world_factory, route, principal):
    _check(world_factory("postgresql"), route, principal)
