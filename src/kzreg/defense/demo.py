"""Demo data of the defense room: the order and its registers (`order_demo`), contracts and
their execution (`contracts_demo`)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from kzreg.defense import contracts_demo, order_demo


def load(session: Session) -> str | None:
    parts = [order_demo.load(session), contracts_demo.load(session)]
    return "; ".join(p for p in parts if p) or None
