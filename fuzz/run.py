"""Coverage-guided fuzzing of the device decoders with atheris (libFuzzer for Python).

    .venv/bin/python fuzz/run.py TARGET [libFuzzer options] [CORPUS_DIR ...]

TARGET is one of fuzz/targets.py's TARGETS (wialon_ips, egts, osmand, mqtt_json, jsonl).
Long run (new inputs kept in the target's corpus, crashes written to fuzz/crashes/):

    mkdir -p fuzz/crashes
    .venv/bin/python fuzz/run.py egts -max_total_time=3600 -artifact_prefix=fuzz/crashes/ \\
        fuzz/corpus/egts

docs/hostile-input.md says how to trim a grown corpus with -merge=1. Every crash
becomes a regression test in tests/hostile/test_regressions.py.
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports(include=["kzreg"]):
    import targets


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in targets.TARGETS:
        sys.exit(f"usage: run.py {{{','.join(targets.TARGETS)}}} [libFuzzer options] [corpus]")
    target = targets.TARGETS[sys.argv[1]]
    atheris.Setup([sys.argv[0], *sys.argv[2:]], target)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
