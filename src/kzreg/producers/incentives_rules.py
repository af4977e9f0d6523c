"""Registers the rules of state incentives and industrial contracts (Law 86-VII Arts 25-49,
47-1, 61-1); imported by kzreg.producers.rules.

  producers.incentive-gate                Art 25(5)-(6)  the four conditions, only grounds
  producers.incentive-competitiveness-ban Art 28(4)      no new agreement after a culpable failure
  producers.incentive-refund              Art 27(4)      refund by the rules' formula (setting)
  producers.contract-plan-calendar        Art 47         the yearly calendar of plans
  producers.contract-plan-check           Art 47(3)-(7)  a plan against the calendar and exclusions
  producers.contract-kind                 Art 46(1)      off-take or guaranteed purchase
  producers.contract-offtake-check        Art 48(2)      100% in year one, at least 50% later
  producers.contract-gpa-term             Art 48-1(3)    one to ten years
  producers.contract-offset               Art 49         500,000 MCI; at least 5%
  producers.contract-systemic             Art 47-1(1)    more than 3% of the region's output
  producers.contract-dvdp-review          Art 61-1       three years; three grounds of refusal
"""

from kzreg.producers import contracts, incentives

MODULES = (incentives, contracts)
