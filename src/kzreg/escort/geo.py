"""Distance from a position to a route, in metres, fast enough for a live stream.

Choice of formula: a local equirectangular projection centred on the position
(x = R·Δλ·cos φ0, y = R·Δφ), then the exact distance to each segment in that plane. Near the
position — where the question "is it within a corridor of about a kilometre?" is decided —
this is within about 0.1 % of the great-circle distance; it needs one cosine per position
rather than trigonometry per segment. It is not for antimeridian-crossing routes (none cross
Kazakhstan) nor for positions hundreds of kilometres away (only the fact "outside" matters).
Geometry is measured in floats: metres of GPS distance are not amounts of money.

Segments are indexed in a grid of CELL_DEG-degree cells, so a position looks only at the
segments near it: the cost per position does not grow with the route's length.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

EARTH_RADIUS_M = 6_371_008.8          # mean Earth radius (IUGG)
M_PER_DEG = EARTH_RADIUS_M * math.pi / 180
CELL_DEG = 0.05                       # about 5.5 km north-south


class Route:
    """A polyline of (lon, lat) points with a grid index of its segments."""

    __slots__ = ("lons", "lats", "_grid")

    def __init__(self, points: Sequence[tuple[float, float]]) -> None:
        if len(points) < 2:
            raise ValueError("a route needs at least two points")
        self.lons = [float(p[0]) for p in points]
        self.lats = [float(p[1]) for p in points]
        self._grid: dict[tuple[int, int], list[int]] = {}
        for i in range(len(points) - 1):
            self._index(i)

    def _index(self, i: int) -> None:
        lat0, lon0, lat1, lon1 = self.lats[i], self.lons[i], self.lats[i + 1], self.lons[i + 1]
        # split long segments so each piece's bounding box spans at most 2 x 2 cells
        pieces = max(1, math.ceil(max(abs(lat1 - lat0), abs(lon1 - lon0)) / CELL_DEG))
        for k in range(pieces):
            a, b = k / pieces, (k + 1) / pieces
            la, lb = lat0 + (lat1 - lat0) * a, lat0 + (lat1 - lat0) * b
            oa, ob = lon0 + (lon1 - lon0) * a, lon0 + (lon1 - lon0) * b
            for cy in range(math.floor(min(la, lb) / CELL_DEG),
                            math.floor(max(la, lb) / CELL_DEG) + 1):
                for cx in range(math.floor(min(oa, ob) / CELL_DEG),
                                math.floor(max(oa, ob) / CELL_DEG) + 1):
                    bucket = self._grid.setdefault((cy, cx), [])
                    if not bucket or bucket[-1] != i:
                        bucket.append(i)

    def _segment_distance(self, i: int, lat: float, lon: float, kx: float) -> float:
        ax = (self.lons[i] - lon) * kx
        ay = (self.lats[i] - lat) * M_PER_DEG
        bx = (self.lons[i + 1] - lon) * kx
        by = (self.lats[i + 1] - lat) * M_PER_DEG
        dx, dy = bx - ax, by - ay
        length2 = dx * dx + dy * dy
        t = 0.0 if length2 == 0 else min(1.0, max(0.0, -(ax * dx + ay * dy) / length2))
        return math.hypot(ax + t * dx, ay + t * dy)

    def distance_within(self, lat: float, lon: float, limit_m: float) -> float | None:
        """The distance to the route if it is at most `limit_m`, else None."""
        cos_lat = max(math.cos(math.radians(lat)), 1e-6)
        kx = M_PER_DEG * cos_lat
        dlat = limit_m / M_PER_DEG
        dlon = limit_m / kx
        seen: set[int] = set()
        best = math.inf
        for cy in range(math.floor((lat - dlat) / CELL_DEG),
                        math.floor((lat + dlat) / CELL_DEG) + 1):
            for cx in range(math.floor((lon - dlon) / CELL_DEG),
                            math.floor((lon + dlon) / CELL_DEG) + 1):
                for i in self._grid.get((cy, cx), ()):
                    if i not in seen:
                        seen.add(i)
                        d = self._segment_distance(i, lat, lon, kx)
                        if d < best:
                            best = d
        return best if best <= limit_m else None

    def is_near(self, lat: float, lon: float, limit_m: float) -> bool:
        """Is the position within `limit_m` of the route? Stops at the first segment that is
        (the position's own cell first): the hot path of the deviation test."""
        kx = M_PER_DEG * max(math.cos(math.radians(lat)), 1e-6)
        own = (math.floor(lat / CELL_DEG), math.floor(lon / CELL_DEG))
        for i in self._grid.get(own, ()):
            if self._segment_distance(i, lat, lon, kx) <= limit_m:
                return True
        return self.distance_within(lat, lon, limit_m) is not None

    def distance(self, lat: float, lon: float) -> float:
        """The distance to the nearest segment, scanning them all (for evidence only)."""
        kx = M_PER_DEG * max(math.cos(math.radians(lat)), 1e-6)
        return min(self._segment_distance(i, lat, lon, kx) for i in range(len(self.lats) - 1))
