"""BIN/IIN checks on the bulk-import path: a register of a million numbers.

The numbers are valid BINs (control digit computed; ~1 in 11 prefixes is never issued
and is skipped), with whitespace-free text as an import file gives it, plus the same
count of random 12-digit strings, most of them invalid, for the rejection path.
"""

from __future__ import annotations

import datetime as dt
import random

from benchmarks._harness import Result, measure
from kzreg.law.errors import InputError
from kzreg.law.identifiers import check_id, control_digit, validate_bin

TODAY = dt.date(2026, 11, 21)  # fixed, so the BIN century rule does not read the clock


def valid_bins(count: int, seed: int = 1) -> list[str]:
    rng = random.Random(seed)
    out: list[str] = []
    while len(out) < count:
        prefix = (f"{rng.randrange(100):02d}{rng.randint(1, 12):02d}{rng.choice('456')}"
                  f"{rng.choice('0123')}{rng.randrange(100_000):05d}")
        digit = control_digit(prefix)
        if digit is not None:
            out.append(prefix + str(digit))
    return out


def random_numbers(count: int, seed: int = 2) -> list[str]:
    rng = random.Random(seed)
    return [f"{rng.randrange(10**12):012d}" for _ in range(count)]


def run(quick: bool = False) -> list[Result]:
    count = 5_000 if quick else 1_000_000
    repeats = 3
    bins = valid_bins(count)
    noise = random_numbers(count)

    def check_valid() -> None:
        for number in bins:
            check_id(number, today=TODAY)

    def check_noise() -> None:
        for number in noise:
            check_id(number, today=TODAY)

    def validate_valid() -> None:
        for number in bins:
            validate_bin(number)

    def validate_noise() -> None:
        for number in noise:
            try:
                validate_bin(number)
            except InputError:
                pass

    return [
        measure("identifiers.check_id (valid BINs)", check_valid, ops=count, repeats=repeats),
        measure("identifiers.check_id (random 12 digits)", check_noise, ops=count,
                repeats=repeats),
        measure("identifiers.validate_bin (valid BINs)", validate_valid, ops=count,
                repeats=repeats),
        measure("identifiers.validate_bin (random, InputError caught)", validate_noise,
                ops=count, repeats=repeats),
    ]
