"""`kzreg risk severities load FILE` stores what an administrator loads; bad files refused."""

import subprocess
import sys
from pathlib import Path

KZREG = str(Path(sys.executable).with_name("kzreg"))


def run(*args):
    return subprocess.run([KZREG, "risk", "severities", *args], capture_output=True,
                          text=True, timeout=120)


def test_load_and_show(db, tmp_path):
    good = tmp_path / "sev.csv"
    good.write_text("id,severity\ncr-app1-01,gross\ncr-app1-02,considerable\n")
    out = run("load", str(good))
    assert out.returncode == 0, out.stderr
    shown = run("show").stdout
    assert "cr-app1-01  gross" in shown and "2 loaded, 95 missing" in shown
    bad = tmp_path / "bad.yaml"
    bad.write_text("cr-app1-01: severe\n")
    out = run("load", str(bad))
    assert out.returncode == 2 and "bad.yaml.cr-app1-01" in out.stderr
