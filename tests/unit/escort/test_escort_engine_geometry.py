"""The engine's route tests: the hinted fast path and the index agree with a full scan;
routes are built the same from coordinate lists and from arrays."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from kzreg.escort.geo import Route

coords = st.tuples(st.floats(70, 72), st.floats(42, 44))


@settings(max_examples=200, deadline=None)
@given(st.lists(coords, min_size=2, max_size=12), coords, st.floats(50, 5000),
       st.integers(0, 12))
def test_a_hinted_or_indexed_answer_agrees_with_the_full_scan(points, probe, limit, hint):
    route = Route(points)
    lon, lat = probe
    full = route.distance(lat, lon)
    fast = route.near_hint(lat, lon, limit, hint)
    if fast >= 0:
        assert route._segment_distance(fast, lat, lon, 111_195 * math.cos(math.radians(
            lat))) <= limit * 1.0001
        assert full <= limit * 1.0001
    found = route.near_segment(lat, lon, limit, hint)
    if full <= limit * 0.999:
        assert found >= 0
    elif full > limit * 1.001:
        assert found == -1


def test_a_route_from_an_array_is_the_route_from_its_points():
    points = [(76.9, 43.25), (77.2, 43.3), (77.5, 43.25)]
    a, b = Route(points), Route(np.array(points))
    assert (a.lons, a.lats, a._keys, a._starts, a._segments) == (
        b.lons, b.lats, b._keys, b._starts, b._segments)
    assert a.nbytes() == b.nbytes() > 0


def test_a_report_on_the_road_costs_no_index_lookup():
    route = Route([(76.9 + i * 0.01, 43.25) for i in range(100)])
    # 0.001° of latitude is 111 m off the road; segment 45 runs 77.35-77.36 E
    assert route.near_hint(43.251, 77.355, 200, 45) == 45
    assert route.near_hint(43.251, 77.365, 200, 45) == 46        # moved on to the next
    assert route.near_hint(43.30, 77.355, 1000, 45) == -1        # ~5.5 km off: ask the index
