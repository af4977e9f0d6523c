"""Registers the escort rules of Order 407 (imported through kzreg.law.rules.RULE_MODULES).

Rule ids and clauses:
  escort.activation-message      Rules §8      the six items of the activation message
  escort.deactivation-request    Rules §13     the three items, one seal per request
  escort.non-routine-situations  Rules §3(8)   signal loss, removal, deviation; §11 deadline
  escort.completion              Rules §13     the four conditions, else §15 high risk
  escort.organise-deadline       Rules §5      24 hours from the decision
  escort.notice-deadline         Rules §11     one hour from the situation
  escort.deactivation-deadline   Rules §14     one hour from the request
  escort.retention               Rules §18(3)  five years from the day after deactivation
  escort.wording                 Order 487     which wording applied on a date
"""

from kzreg.escort import completion, deadlines, detection, messages, versions

MODULES = (messages, detection, completion, deadlines, versions)
