"""Hypothesis strategies for hostile input: nasty scalar tokens, JSON values, real captures."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from hypothesis import strategies as st

from kzreg.tracking.position import Position, SealState

FIXTURES = Path(__file__).parents[1] / "fixtures" / "tracking"
UTC = dt.UTC
NOW = dt.datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def captures(name: str) -> dict[str, str]:
    """label -> message of a fixture file ("label<TAB>message", // comments)."""
    lines = (FIXTURES / name).read_text(encoding="utf-8").splitlines()
    return dict(line.split("\t", 1) for line in lines if line and not line.startswith("//"))


# Tokens that break naive number/date parsing: Unicode digits int() refuses, overflow,
# non-finite, signs, separators Python accepts and protocols do not, empty, NA.
NASTY_TOKENS = ("", "NA", "na", "-", "+", "-0", "0", "00", "1", "-1", "3", "4", "10", "59.99",
                "60", "360", "361", "-361", "1e3", "1e308", "1e309", "-1e309", "nan", "NaN",
                "inf", "-inf", "Infinity", "1_000", " 7 ", "²", "٣", "①", "¼", "0x10",
                "99999999999999999999999", "-99999999999999999999999", "290223", "310299",
                "000000", "235960", "246060", "0001-01-01T00:00:00+05:00",
                "9999-12-31T23:59:59-05:00", "2024-02-30T00:00:00Z", "1e14", "99999999999.5",
                "-0.0", "\x00", "\r", "\n", "#", ";", "|", ":", ",", "&", "=", "%", "'",
                "\"", "<script>", "\u202e", "\ufeff", "я", "\udcff")

nasty_text = st.one_of(st.sampled_from(NASTY_TOKENS), st.text(max_size=12))
nasty_numbers = st.one_of(
    st.integers(), st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([0, -1, 1, 255, 256, 2**31, 2**63, 2**64, -2**63 - 1, 10**30, 1e308,
                     -1e308, 5e-324, 0.5, 359.9999, 360.0, 360.0001]))
json_scalars = st.one_of(st.none(), st.booleans(), nasty_numbers, nasty_text)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(nasty_text, inner, max_size=4)),
    max_leaves=12)

coordinates = st.tuples(st.floats(-90, 90), st.floats(-180, 180))
fix_times = st.datetimes(min_value=dt.datetime(2010, 1, 2), max_value=dt.datetime(2026, 11, 21),
                         timezones=st.just(UTC)).map(lambda t: t.replace(microsecond=0))


@st.composite
def positions(draw, protocol: str = "", archive: bool | None = None) -> Position:
    """A plausible position as a device would report it (whole seconds, 3-decimal values)."""
    lat, lon = draw(coordinates)
    maybe = lambda strategy: draw(st.none() | strategy)  # noqa: E731
    return Position(
        device="860000000000001", fix_time=draw(fix_times), lat=lat, lon=lon,
        speed_kmh=maybe(st.integers(0, 1600).map(lambda v: v / 10)),
        course=maybe(st.integers(0, 359).map(float)),
        altitude_m=maybe(st.integers(-400, 8000).map(float)),
        satellites=maybe(st.integers(0, 60)),
        seal_state=maybe(st.sampled_from(list(SealState))),
        protocol=protocol, archive=draw(st.booleans()) if archive is None else archive)


@st.composite
def splits(draw, data: bytes) -> list[bytes]:
    """`data` cut at arbitrary points (how TCP may deliver it)."""
    cuts = sorted(draw(st.lists(st.integers(0, len(data)), max_size=6)))
    bounds = [0, *cuts, len(data)]
    return [data[a:b] for a, b in zip(bounds, bounds[1:], strict=False)]
