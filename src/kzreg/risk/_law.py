"""Shared pieces of the risk rules: citations to JO 1199/826 and its Criteria."""

from __future__ import annotations

from kzreg.law.citations import Citation, cite

JO_1199_826 = "jo-1199-826"


def criteria(locator: str) -> Citation:
    """A citation to the Criteria (Appendix 1 to the joint order): criteria("§13")."""
    return cite(JO_1199_826, f"Cr {locator}")


def act(locator: str) -> Citation:
    """A citation to the joint order itself or a Criteria appendix: act("Cr-App5")."""
    return cite(JO_1199_826, locator)


def N_(message: str) -> str:  # noqa: N802  (the gettext convention)
    """Mark a message the pages translate (`python -m kzreg.web.i18n extract` finds it)
    without importing the web layer into the rules."""
    return message
