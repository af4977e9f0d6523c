"""docs/escort-replay.md shows a trace and what `kzreg escort replay` prints for it: the
example is run here, so the documentation cannot drift from the command."""

from __future__ import annotations

import json
import re
from pathlib import Path

from kzreg.escort.replay import replay

DOC = Path(__file__).parents[3] / "docs" / "escort-replay.md"


def blocks() -> list[str]:
    return re.findall(r"```\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)


def test_the_documented_example_prints_what_the_documentation_shows():
    trace = next(b for b in blocks() if '"event": "activated"' in b and "$" not in b)
    shown = next(b for b in blocks() if b.startswith("$ kzreg escort replay trace.jsonl"))
    expected = [json.loads(line) for line in shown.splitlines()[1:]]
    got = [s.to_json() for s in replay(trace.splitlines()).situations]
    assert got == expected
    assert [s["type"] for s in got] == ["route_deviation", "unauthorized_removal",
                                        "signal_loss"]
