"""The defense room on the web (Law 236-VI): JSON API under /api/defense/ and pages under
/defense/. The order, its registers and selection live in `order_api` (its pages in
`order_pages`); contracts, their execution, acceptance and the reserve in `contracts_api`
(its pages in `contracts_pages`, what both share in `contracts_web`). Each API router
includes its pages' router. Secrecy (Art 25 sub 3) is enforced in all of them: nothing
above the caller's clearance leaves the server."""

from __future__ import annotations

from fastapi import APIRouter

from kzreg.defense import contracts_api, order_api

router = APIRouter()
router.include_router(order_api.router)
router.include_router(contracts_api.router)
