"""The atheris fuzz targets (fuzz/) in CI: the kept corpus replayed in process, then a
few seconds of coverage-guided fuzzing per target in a subprocess (libFuzzer ends the
process, so it cannot run inside pytest). A crash fails the test with the fuzzer's
output; the long run is in docs/hostile-input.md.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

FUZZ = Path(__file__).resolve().parents[2] / "fuzz"
sys.path.insert(0, str(FUZZ))
import targets  # noqa: E402

RUNS = 3000            # new inputs per target in CI, on top of the corpus
SECONDS = 5            # and at most this long


@pytest.mark.parametrize("target", sorted(targets.TARGETS))
def test_corpus_replays_clean(target):
    files = sorted((targets.CORPUS / target).iterdir())
    assert files, f"fuzz/corpus/{target} is empty: run fuzz/seed.py"
    for path in files:
        targets.TARGETS[target](path.read_bytes())


@pytest.mark.skipif(importlib.util.find_spec("atheris") is None, reason="atheris missing")
@pytest.mark.parametrize("target", sorted(targets.TARGETS))
def test_fuzz_smoke_run(target, tmp_path):
    new = tmp_path / "new"
    new.mkdir()
    run = subprocess.run(
        [sys.executable, str(FUZZ / "run.py"), target, f"-runs={RUNS}",
         f"-max_total_time={SECONDS}", f"-artifact_prefix={tmp_path}/", "-seed=1",
         str(new), str(targets.CORPUS / target)],
        capture_output=True, text=True, timeout=120, cwd=tmp_path)
    crashes = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("crash-"))
    assert run.returncode == 0 and not crashes, run.stderr[-3000:]
