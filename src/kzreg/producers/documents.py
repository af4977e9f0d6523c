"""The producers room's documents (Law 86-VII), rendered by `kzreg.platform.documents`
(HTML + PDF, stored as made), one template per language in `templates/documents/`; the
Kazakh and Russian texts are marked for legal review (they follow an unofficial English
translation of the Law).

- `incentive_decision`: the decision on an application for a measure of state stimulation:
  the grant under an agreement with counter-obligations (Art 27(1), (3)), or the reasoned
  refusal naming the failed conditions of Art 25(5), the only grounds (Art 25(6)), and, for
  an agreement on increasing competitiveness, the prohibition of Art 28(4).
- `register_refusal`: the reasoned response when an applicant is not included in the
  register (Art 51-1(3) para 4, Art 51-1(5)-(6)): the stage, the reasons, the justification
  and the right to reapply. The register extract (Art 51-1(8)) is `service.extract`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from kzreg.law.calendar import local_date, now_utc
from kzreg.law.errors import InputError, LegalRuleError
from kzreg.platform import cases
from kzreg.platform.actors import Actor
from kzreg.platform.documents import LANGUAGES, Document, render_document
from kzreg.producers import incentives_workflow as iw
from kzreg.producers.incentives import art

DECISION_KIND = "producers_incentive_decision"
EXTRACT_KIND = "producers_register_extract"

#: Art 29 measures as the Russian and Kazakh texts name them (titles in English are data).
MEASURES = {
    "financing": ("финансирование, в том числе софинансирование проектов, а также "
                  "лизинговое финансирование", "қаржыландыру, оның ішінде жобаларды бірлесіп "
                  "қаржыландыру, сондай-ақ лизингтік қаржыландыру"),
    "guarantees": ("гарантийные обязательства и поручительства по займам",
                   "қарыздар бойынша кепілдік міндеттемелер мен кепілгерліктер"),
    "lending": ("кредитование через финансовые институты",
                "қаржы институттары арқылы кредит беру"),
    "interest_subsidy": ("субсидирование ставки вознаграждения по кредитам и купона по "
                         "облигациям", "кредиттер бойынша сыйақы мөлшерлемесін және "
                         "облигациялар бойынша купонды субсидиялау"),
    "authorized_capital": ("инвестиции в уставный капитал", "жарғылық капиталға инвестициялар"),
    "infrastructure": ("предоставление инженерно-коммуникационной инфраструктуры",
                       "инженерлік-коммуникациялық инфрақұрылымды ұсыну"),
    "land_plots": ("предоставление земельных участков", "жер учаскелерін беру"),
    "domestic_market": ("стимулирование на внутреннем рынке", "ішкі нарықта ынталандыру"),
    "export_promotion": ("развитие и продвижение экспорта отечественных обработанных товаров "
                         "и услуг", "отандық өңделген тауарлар мен қызметтердің экспортын "
                         "дамыту және ілгерілету"),
    "labour_productivity": ("стимулирование повышения производительности труда",
                            "еңбек өнімділігін арттыруды ынталандыру"),
    "territorial_clusters": ("стимулирование развития территориальных кластеров",
                             "аумақтық кластерлерді дамытуды ынталандыру"),
    "debt_restructuring": ("реструктуризация задолженности", "берешекті қайта құрылымдау"),
    "industrial_grant": ("промышленные гранты", "өнеркәсіптік гранттар"),
    "other_government_measure": ("иные меры, устанавливаемые Правительством",
                                 "Үкімет белгілейтін өзге де шаралар"),
}

#: The directions of counter-obligations (Art 27(3)): (ru, kk, en).
DIRECTIONS = {
    "labour_productivity": ("повышение производительности труда",
                            "еңбек өнімділігін арттыру", "increasing labour productivity"),
    "export_oriented_output": ("увеличение производства экспортоориентированной продукции",
                               "экспортқа бағдарланған өнім өндірісін ұлғайту",
                               "increasing export-oriented output"),
    "domestic_market_needs": ("обеспечение потребностей внутреннего рынка",
                              "ішкі нарықтың қажеттіліктерін қамтамасыз ету",
                              "meeting the needs of the domestic market"),
}

#: The grounds of refusal: the four conditions of Art 25(5) and Art 28(4): (ru, kk, en).
GROUNDS = {
    "NOT_PRIORITY_GOODS": (
        "деятельность не направлена на производство товаров, включённых в перечень "
        "приоритетных товаров",
        "қызмет басым тауарлар тізбесіне енгізілген тауарларды өндіруге бағытталмаған",
        "the activity is not focused on goods in the list of priority goods", "Art 25(5)"),
    "NO_COUNTER_OBLIGATIONS": (
        "встречные обязательства не приняты", "қарсы міндеттемелер қабылданбаған",
        "counter-obligations are not accepted", "Art 25(5)"),
    "DOCS_NONCOMPLIANT": (
        "субъект и (или) документы не соответствуют требованиям актов, регулирующих "
        "предоставление меры",
        "субъект және (немесе) құжаттар шараны ұсынуды реттейтін актілердің талаптарына "
        "сәйкес келмейді",
        "the entity or its documents do not meet the acts governing the measure", "Art 25(5)"),
    "NOT_IN_REGISTER": (
        "товаропроизводитель не включён в реестр казахстанских товаропроизводителей",
        "тауар өндіруші қазақстандық тауар өндірушілер тізіліміне енгізілмеген",
        "the producer is not in the register of Kazakhstani commodity producers",
        "Art 25(5)"),
    iw.BAN_REASON: (
        "ранее заключённое соглашение о повышении конкурентоспособности не исполнено по вине "
        "субъекта: заключение нового запрещено",
        "бұрын жасалған бәсекеге қабілеттілікті арттыру туралы келісім субъектінің кінәсінен "
        "орындалмаған: жаңасын жасасуға тыйым салынады",
        "an earlier agreement on increasing competitiveness was failed through the entity's "
        "fault: a new one is prohibited", "Art 28(4)"),
}

TITLES = {  # (granted, refused) per language
    "ru": ("Решение о предоставлении меры государственного стимулирования промышленности",
           "Решение об отказе в предоставлении меры государственного стимулирования "
           "промышленности"),
    "kk": ("Өнеркәсіпті мемлекеттік ынталандыру шарасын ұсыну туралы шешім",
           "Өнеркәсіпті мемлекеттік ынталандыру шарасын ұсынудан бас тарту туралы шешім"),
    "en": ("Decision to provide a measure of state stimulation of industry",
           "Decision to refuse a measure of state stimulation of industry"),
}
_POS = {"ru": 0, "kk": 1, "en": 2}


def _language(language: str) -> str:
    if language not in LANGUAGES:
        raise InputError(f"language must be one of {', '.join(LANGUAGES)}", field="language")
    return language


def measure_title(measure: str, language: str, english: str) -> str:
    pair = MEASURES.get(measure)
    return english if language == "en" or pair is None else pair[_POS[language]]


def incentive_decision(session: Session, actor: Actor, case_id: int, *, language: str = "ru",
                       at: dt.datetime | None = None) -> Document:
    """The decision on an incentive application as a stored PDF: the grant with its
    counter-obligations, or the refusal citing only the grounds of Art 25(5)-(6)."""
    language = _language(language)
    case = cases.get_case_for(session, actor, case_id)
    if case.case_type != iw.INCENTIVE:
        raise InputError("not an application for a measure of state stimulation",
                         field="case_id")
    decision = case.data.get("decision")
    if not decision:
        raise LegalRuleError("no decision yet: the application is still being examined",
                             field="state", citation=art("Art 25(6)"))
    d, pos, granted = case.data, _POS[language], bool(decision["granted"])
    grounds = [{"code": code, "text": GROUNDS[code][pos], "clause": art(GROUNDS[code][3]).ref}
               for code in decision.get("reasons", []) if code in GROUNDS]
    failures = [{"clause": art(f["clause"]).ref, "detail": f["detail"]}
                for f in decision.get("failures", [])]
    obligations = [{**o, "direction_text": DIRECTIONS.get(o["direction"], (o["direction"],) * 3)
                    [pos]} for o in decision.get("counter_obligations", [])]
    basis = (["Art 25(5)", "Art 27(1)", "Art 27(3)", "Art 27(4)"] if granted
             else ["Art 25(5)", "Art 25(6)"] + (["Art 28(4)"] if iw.BAN_REASON in
                                                decision.get("reasons", []) else []))
    at = at or now_utc()
    context: dict[str, Any] = {
        "title": TITLES[language][0 if granted else 1],
        "number": f"{'G' if granted else 'R'}-{case.id}",
        "date": decision.get("on") or local_date(at), "granted": granted,
        "applicant": {"name": d["name"], "bin": d["bin"]},
        "measure": measure_title(d["measure"], language, d.get("measure_title", d["measure"])),
        "measure_clause": art(_measure_item(d["measure"])).ref,
        "applied_on": d.get("applied_on"), "project": d.get("project") or "",
        "competitiveness_agreement": bool(d.get("competitiveness_agreement")),
        "agreement_no": decision.get("agreement_no"), "amount": decision.get("amount"),
        "obligations_due_on": decision.get("obligations_due_on"),
        "obligations": obligations, "grounds": grounds, "failures": failures,
        "findings": decision.get("document_findings", []),
        "justification": decision.get("justification", ""),
        "basis": [art(x).ref for x in basis],
    }
    return render_document(session, case_id=case.id, actor=actor, at=at, language=language,
                           template=f"producers/incentive_decision_{language}.html",
                           kind=DECISION_KIND, context=context)


def _measure_item(measure: str) -> str:
    from kzreg.producers.incentives import catalogue

    found = catalogue().get(measure)
    return found.item if found else "Art 29"


EXTRACT_TITLES = {
    "ru": "Выписка из реестра казахстанских товаропроизводителей",
    "kk": "Қазақстандық тауар өндірушілер тізілімінен үзінді көшірме",
    "en": "Extract from the register of Kazakhstani commodity producers",
}


def extract_template(language: str) -> tuple[str, str]:
    """The extract's template and title in `language` (Art 51-1(8))."""
    language = _language(language)
    return f"producers/register_extract_{language}.html", EXTRACT_TITLES[language]


# --- the reasoned refusal of inclusion in the register (Art 51-1(3) para 4, (5), (6)) --------

REFUSAL_KIND = "producers_register_refusal"

REFUSAL_TITLES = {
    "ru": "Мотивированный ответ о невключении в реестр казахстанских товаропроизводителей",
    "kk": "Қазақстандық тауар өндірушілер тізіліміне енгізбеу туралы дәлелді жауап",
    "en": "Reasoned response: not included in the register of Kazakhstani commodity "
          "producers",
}

#: The stage whose negative result refused the application: (case data key, clause,
#: (ru, kk, en)).
REFUSAL_STAGES = {
    "verification": ("Art 51-1(3)", ("цифровая верификация", "цифрлық верификация",
                                     "digital verification")),
    "refusal": ("Art 51-1(4)", ("оценка производства", "өндірісті бағалау",
                                "production assessment")),
    "report": ("Art 51-1(5)", ("выездное обследование (акт оценки производства)",
                               "көшпелі зерттеу (өндірісті бағалау актісі)",
                               "on-site inspection (production assessment report)")),
}


def register_refusal(session: Session, actor: Actor, case_id: int, *, language: str = "ru",
                     at: dt.datetime | None = None) -> Document:
    """The reasoned response sent when an applicant is not included (Art 51-1(3) para 4,
    Art 51-1(6) para 2): the stage, each reason recorded with it, the justification and the
    right to reapply after rectifying (Art 51-1(6) para 3), as a stored PDF."""
    from kzreg.producers import workflow as wf
    from kzreg.producers.register_law import law

    language = _language(language)
    case = cases.get_case_for(session, actor, case_id)
    if case.case_type != wf.APPLICATION:
        raise InputError("not an application for inclusion in the register", field="case_id")
    if case.state != "refused":
        raise LegalRuleError("the application was not refused: no reasoned response",
                             field="state", citation=law("Art 51-1(6)"))
    d, pos = case.data, _POS[language]
    key = next(k for k in ("report", "refusal", "verification")
               if k in d and (k != "report" or d[k].get("reasons")))
    record, (locator, names) = d[key], REFUSAL_STAGES[key]
    reasons = ([f"{f['code']}: {f['reason']}" for f in record.get("failed", [])]
               if key == "verification" else list(record.get("reasons", [])))
    justification = record.get("justification") or record.get("findings") or ""
    at = at or now_utc()
    context: dict[str, Any] = {
        "title": REFUSAL_TITLES[language], "number": f"NR-{case.id}",
        "date": record.get("on") or local_date(at),
        "applicant": {"name": d["name"], "bin": d["bin"]},
        "goods": d.get("goods", []), "applied_on": local_date(case.opened_at),
        "stage": names[pos], "stage_clause": law(locator).ref, "reasons": reasons,
        "justification": justification,
        "inspection": ({"held_on": record.get("held_on"),
                        "participants": record.get("participants", [])}
                       if key == "report" else None),
        "basis": [law(x).ref for x in ("Art 51-1(1)", locator, "Art 51-1(6)")],
    }
    return render_document(session, case_id=case.id, actor=actor, at=at, language=language,
                           template=f"producers/register_refusal_{language}.html",
                           kind=REFUSAL_KIND, context=context)
