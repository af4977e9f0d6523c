"""Electronic customs escort with navigation seals (Order 407 as amended by Order 487).

The law as pure functions `(inputs, as_of) -> Explained`, registered as `escort.*` rules
(see `kzreg.escort.rules`), plus the streaming detector `SealTracker` they share with the
tracking service.
"""

from kzreg.escort.completion import ArrivalFindings, CompletionOutcome, judge_completion
from kzreg.escort.deadlines import (
    DeactivationTiming,
    DecisionInput,
    HoursDeadline,
    NoticeInput,
    Retention,
    RetentionInput,
    deactivation_deadline,
    notice_deadline,
    organise_deadline,
    retention,
)
from kzreg.escort.detection import DetectionInput, TelemetryRecord, detect, explain_situations
from kzreg.escort.geo import Route
from kzreg.escort.messages import (
    NOT_ESTABLISHED,
    ActivationMessage,
    DeactivationRequest,
    IncompleteMessage,
    check_activation_message,
    check_deactivation_request,
    parse_route,
)
from kzreg.escort.situations import DetectorConfig, SealTracker, Situation, SituationType
from kzreg.escort.versions import Wording, check_wording, explain_wording, wording_on

__all__ = [
    "NOT_ESTABLISHED", "ActivationMessage", "ArrivalFindings", "CompletionOutcome",
    "DeactivationRequest", "DeactivationTiming", "DecisionInput", "DetectionInput",
    "DetectorConfig", "HoursDeadline", "IncompleteMessage", "NoticeInput", "Retention",
    "RetentionInput", "Route", "SealTracker", "Situation", "SituationType", "TelemetryRecord",
    "Wording", "check_activation_message", "check_deactivation_request", "check_wording",
    "deactivation_deadline", "detect", "explain_situations", "explain_wording",
    "judge_completion", "notice_deadline", "organise_deadline", "parse_route", "retention",
    "wording_on",
]
