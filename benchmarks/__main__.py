"""`python -m benchmarks [--quick] [subject ...]`: run the benchmarks, print one table.

Subjects (default: all): the kernel's calendar, identifiers, numbers, the audit log, and
the rooms' hot paths (escort detection, tracking decoders, assembly scoring, risk scoring
and planning). `--quick` uses small sizes (seconds in all), to check that the benchmarks
still run; record only full runs in docs/benchmarks.md. The live ingest load test needs
running services and is its own command: `python -m benchmarks.tracking_ingest`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sys
import time
from importlib import import_module

from benchmarks._harness import table

# subject -> module in this package; each has `run(quick) -> list[Result]` (and `notes`)
MODULES = {
    "calendar": "bench_calendar", "identifiers": "bench_identifiers",
    "numbers": "bench_numbers", "audit": "bench_audit",
    "escort": "escort_detection", "tracking": "tracking_decode",
    "assembly": "assembly_scoring", "risk-scoring": "risk_scoring",
    "risk-planning": "risk_planning",
}
SUBJECTS = tuple(MODULES)


def machine() -> str:
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            cpu = next(line.split(":", 1)[1].strip() for line in info
                       if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return (f"{platform.system()} {platform.release()}, {os.cpu_count()} CPUs ({cpu}), "
            f"Python {platform.python_version()}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes, a few seconds")
    parser.add_argument("subjects", nargs="*", choices=[[], *SUBJECTS], metavar="subject",
                        help=f"any of {', '.join(SUBJECTS)} (default: all)")
    args = parser.parse_args(argv)
    chosen = args.subjects or list(SUBJECTS)
    print(f"# kzreg benchmarks{' (quick)' if args.quick else ''}, "
          f"{dt.datetime.now().astimezone():%Y-%m-%d %H:%M %z}")
    print(f"# {machine()}")
    results, notes = [], []
    started = time.perf_counter()
    for subject in chosen:
        module = import_module(f"benchmarks.{MODULES[subject]}")
        t0 = time.perf_counter()
        results += module.run(quick=args.quick)
        if hasattr(module, "notes"):
            notes += module.notes(quick=args.quick)
        print(f"# {subject}: {time.perf_counter() - t0:.1f} s", file=sys.stderr, flush=True)
    print()
    print(table(results))
    for note in notes:
        print(f"\nnote: {note}")
    print(f"\n# total {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
