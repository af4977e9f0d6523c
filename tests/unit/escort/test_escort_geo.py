"""Distance to a route: accuracy against the haversine formula, and the grid index against
a scan of every segment."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from kzreg.escort.geo import EARTH_RADIUS_M, Route


def haversine(lat1, lon1, lat2, lon2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def test_distance_to_a_vertex_matches_haversine_within_a_tenth_of_a_percent():
    route = Route([(76.9, 43.25), (77.5, 43.25), (77.5, 44.0)])
    for lat, lon in [(43.26, 76.8), (43.2, 76.85), (44.01, 77.52)]:
        nearest = min(haversine(lat, lon, la, lo) for lo, la in
                      [(76.9, 43.25), (77.5, 43.25), (77.5, 44.0)])
        got = route.distance(lat, lon)
        assert got <= nearest * 1.001
        assert abs(got - nearest) / nearest < 0.001 or got < nearest


def test_distance_across_a_segment_is_perpendicular():
    route = Route([(76.9, 43.25), (77.5, 43.25)])
    expected = haversine(43.26, 77.2, 43.25, 77.2)
    assert abs(route.distance(43.26, 77.2) - expected) < 1.0


def test_within_returns_none_beyond_the_limit():
    route = Route([(76.9, 43.25), (77.5, 43.25)])
    assert route.distance_within(43.2545, 77.2, 1000) is not None    # ~500 m
    assert route.distance_within(43.2545, 77.2, 400) is None


def test_a_very_long_segment_is_indexed_along_its_length():
    route = Route([(51.0, 47.0), (80.0, 43.0)])     # Atyrau to Almaty region in one segment
    lat = 47.0 + (43.0 - 47.0) * 0.5
    assert route.distance_within(lat, 65.5, 1000) is not None


coords = st.tuples(st.floats(70, 72), st.floats(42, 44))


@settings(max_examples=150, deadline=None)
@given(st.lists(coords, min_size=2, max_size=12), coords, st.floats(50, 20000))
def test_grid_index_agrees_with_a_full_scan(points, probe, limit):
    route = Route(points)
    lon, lat = probe
    full = route.distance(lat, lon)
    within = route.distance_within(lat, lon, limit)
    if full <= limit * 0.999:
        assert within is not None and math.isclose(within, full, rel_tol=1e-9, abs_tol=1e-6)
    elif full > limit * 1.001:
        assert within is None


@settings(max_examples=150, deadline=None)
@given(st.lists(coords, min_size=2, max_size=12), coords, st.floats(50, 20000))
def test_is_near_agrees_with_the_distance(points, probe, limit):
    route = Route(points)
    lon, lat = probe
    full = route.distance(lat, lon)
    if full <= limit * 0.999:
        assert route.is_near(lat, lon, limit)
    elif full > limit * 1.001:
        assert not route.is_near(lat, lon, limit)
