"""What the producers pages show for the room's codes (Law 86-VII), in the visitor's language.

The API and the records keep the codes ("refund_due", "labour_productivity", "offtake");
pages show these labels through `kzreg.web.i18n.labeller` (templates: `label(code)`).
`MEASURE_TITLES` marks the titles of the measures of Art 29 read from
`data/incentives/measures.yaml` (pages show them through `_()`).
"""

from __future__ import annotations

from typing import Any

from kzreg.web.i18n import N_, labeller, pgettext_for

LABELS: dict[str, str] = {
    # the register of Kazakhstani commodity producers (Arts 51-1 to 51-6)
    "included": N_("included in the register"), "excluded": N_("excluded from the register"),
    "removed": N_("removed from the register"), "kept": N_("kept in the register"),
    "not_in_register": N_("not in the register"),
    "liquidation": N_("liquidation"), "reorganisation": N_("reorganisation"),
    "merger": N_("merger"), "accession": N_("accession"), "division": N_("division"),
    "separation": N_("separation"), "transformation": N_("transformation"),
    # measures of state stimulation and counter-obligations (Arts 25-28)
    "performing": N_("counter-obligations being performed"),
    "refund_due": N_("money to be returned"), "fulfilled": N_("counter-obligations fulfilled"),
    "refunded": N_("money returned"), "failed": N_("counter-obligations not fulfilled"),
    "labour_productivity": N_("increase of labour productivity"),
    "export_oriented_output": N_("export-oriented output"),
    "domestic_market_needs": N_("needs of the domestic market"),
    # off-take contracts and guaranteed purchase agreements (Arts 46-48-1)
    "offtake": N_("off-take contract"), "guaranteed_purchase": N_("guaranteed purchase agreement"),
    "active": N_("in force"), "terminated": N_("terminated"), "breach": N_("breach"),
    "planned": N_("planned"), "compliant": N_("compliant"), "not_owed": N_("not owed"),
    "on_time": N_("on time"), "late": N_("late"), "overdue": N_("overdue"),
    "running": N_("running"), "pending": N_("pending"),
}

MEASURE_TITLES = (
    N_("financing, including co-financing of industrial and innovative projects, leasing "
       "financing"),
    N_("provision of guarantee obligations and guarantees for loans"),
    N_("lending through financial institutions"),
    N_("subsidizing the interest rate on loans issued by financial institutions and coupon "
       "interest on bonds"),
    N_("investment in authorized capital"),
    N_("provision of engineering and communication infrastructure"),
    N_("provision of land plots"), N_("provision of land plots and subsoil use rights"),
    N_("stimulation in the domestic market"),
    N_("development and promotion of exports of manufacturing goods and services of Kazakh "
       "origin, assistance in their sale"),
    N_("stimulation of labour productivity increase"),
    N_("stimulation of development of territorial clusters"),
    N_("debt restructuring"), N_("industrial grants"),
    N_("other measures set by the Government on recommendations of the interdepartmental "
       "commission"),
)


def page_context(language: str) -> dict[str, Any]:
    """What the room's page helpers add for their templates."""
    return {"label": labeller(language, LABELS), "pgettext": pgettext_for(language)}
