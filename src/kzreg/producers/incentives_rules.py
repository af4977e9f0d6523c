"""Registers the rules of state incentives and industrial contracts (Law 86-VII Arts 25-49,
47-1, 61-1); imported by kzreg.producers.rules.

  producers.incentive-gate                Art 25(5)-(6)  the four conditions, only grounds
  producers.incentive-competitiveness-ban Art 28(4)      no new agreement after a culpable failure
  producers.incentive-refund              Art 27(4)      refund by the rules' formula (setting)
  producers.industrial-grant-check        Art 42         operating, co-financing, goals
  producers.industrial-grant-funds        Art 42(5)      the year-end balance carried over
  producers.contract-plan-calendar        Art 47         the yearly calendar of plans
  producers.contract-plan-check           Art 47(3)-(7)  a plan against the calendar and exclusions
  producers.contract-kind                 Art 46(1)      off-take or guaranteed purchase
  producers.contract-offtake-check        Art 48(2)      100% in year one, at least 50% later
  producers.contract-gpa-term             Art 48-1(3)    one to ten years
  producers.contract-offset               Art 49         500,000 MCI; at least 5%
  producers.contract-systemic             Art 47-1(1)    more than 3% of the region's output
  producers.contract-dvdp-review          Art 61-1       three years; three grounds of refusal
  producers.raw-list-application          Art 60(3)      the two grounds of refusal
  producers.raw-producer-inclusion        Art 60(4)      new production (under 3 years) left out
  producers.raw-supply-shares             Art 60(5)      output over the Republic's output
  producers.raw-price-cap                 Art 60(7)      the producer's minimum export price
  producers.raw-resale                    Art 60(8)      termination and the ban
  producers.raw-export-licence            Art 60(9)      only after agreements are fulfilled
  producers.legal-wording                 Art 69         the current wording applies on the date
  producers.legacy-certificate            Art 68         CT-KZ/industrial certificates to 1.1.2026
  producers.legacy-suppliers-database     Art 69 sub 3   the Art 51 database to 1.1.2026
  producers.measure-wording               Art 68         Art 29 sub 7 / Art 36 before 29.06.2023
"""

from kzreg.producers import (
    contracts,
    grant_funds,
    grants,
    incentives,
    legal_time,
    raw_materials,
)

MODULES = (incentives, grants, grant_funds, contracts, raw_materials, legal_time)
