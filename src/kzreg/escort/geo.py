"""Distance from a position to a route, in metres, fast enough for a live stream.

The route is a GeoJSON LineString, whose segments are straight lines in (lon, lat)
(RFC 7946 §3.1.1). A position is measured in a local equirectangular projection centred on
it (x = R·Δλ·cos φ, y = R·Δφ): the projection is linear in (lon, lat), so each segment
stays the same straight segment, and only the scale is approximated. Within a few
kilometres of the position — where "inside a corridor of hundreds of metres" is decided —
the error is below tan φ·d/R of the distance d: at 1 km and 55° N (north of Kazakhstan)
about 0.02 %, 0.2 m; the sphere of mean radius itself is within 0.35 % of the WGS-84
ellipsoid at 40-56° N (3.5 m at 1 km). Not for antimeridian-crossing routes (none cross
Kazakhstan); far away (hundreds of km) only the fact "outside" matters. Geometry is float:
metres of GPS distance are not amounts of money.

Memory: coordinates live in `array('d')` and the segment index in flat arrays (sorted cell
keys, offsets, segment numbers), about 60 bytes a point, so 100,000 active seals fit in
memory even with routes of their own (benchmarks/escort_detection.py measures it).

Speed: the index is a grid of CELL_DEG-degree cells; a position looks only at the segments
near it, so its cost does not grow with the route's length. A caller that tracks a vehicle
passes the segment it was last near (`hint`): a vehicle on its route is then judged by one
or two segment tests, without touching the index.
"""

from __future__ import annotations

import math
from array import array
from bisect import bisect_left
from collections.abc import Sequence

import numpy as np

EARTH_RADIUS_M = 6_371_008.8          # mean Earth radius (IUGG)
M_PER_DEG = EARTH_RADIUS_M * math.pi / 180
RAD = math.pi / 180
CELL_DEG = 0.05                       # about 5.5 km north-south
_ROW = 1 << 24                        # cell key = row * _ROW + column (columns < 7200)


def _cell_key(cy: int, cx: int) -> int:
    return cy * _ROW + cx


class Route:
    """A polyline of (lon, lat) points with a grid index of its segments."""

    __slots__ = ("lons", "lats", "_keys", "_starts", "_segments", "__weakref__")

    def __init__(self, points: Sequence[tuple[float, float]]) -> None:
        if len(points) < 2:
            raise ValueError("a route needs at least two points")
        if isinstance(points, np.ndarray):          # (n, 2) float64, already validated
            self.lons = array("d", np.ascontiguousarray(points[:, 0]).tobytes())
            self.lats = array("d", np.ascontiguousarray(points[:, 1]).tobytes())
        else:
            self.lons = array("d", (float(p[0]) for p in points))
            self.lats = array("d", (float(p[1]) for p in points))
        self._build_index()

    def __len__(self) -> int:
        return len(self.lats)

    def _build_index(self) -> None:
        """Cell -> segments, as flat arrays. A segment shorter than a cell touches at most
        2 x 2 cells (computed for all of them at once); a longer one is cut into pieces."""
        lat = np.frombuffer(self.lats, dtype=np.float64)
        lon = np.frombuffer(self.lons, dtype=np.float64)
        lat0, lat1, lon0, lon1 = lat[:-1], lat[1:], lon[:-1], lon[1:]
        span = np.maximum(np.abs(lat1 - lat0), np.abs(lon1 - lon0))
        short = np.nonzero(span <= CELL_DEG)[0]
        cy0 = np.floor(np.minimum(lat0, lat1)[short] / CELL_DEG).astype(np.int64)
        cy1 = np.floor(np.maximum(lat0, lat1)[short] / CELL_DEG).astype(np.int64)
        cx0 = np.floor(np.minimum(lon0, lon1)[short] / CELL_DEG).astype(np.int64)
        cx1 = np.floor(np.maximum(lon0, lon1)[short] / CELL_DEG).astype(np.int64)
        keys, segs = [], []
        for dy in (0, 1):
            for dx in (0, 1):
                inside = (cy0 + dy <= cy1) & (cx0 + dx <= cx1)
                keys.append((cy0 + dy)[inside] * _ROW + (cx0 + dx)[inside])
                segs.append(short[inside])
        extra: list[tuple[int, int]] = []
        for i in np.nonzero(span > CELL_DEG)[0].tolist():
            extra += self._long_segment_cells(i)
        if extra:
            keys.append(np.array([k for k, _ in extra], dtype=np.int64))
            segs.append(np.array([i for _, i in extra], dtype=np.int64))
        key = np.concatenate(keys)
        seg = np.concatenate(segs).astype(np.int64)
        order = np.lexsort((seg, key))
        key, seg = key[order], seg[order]
        if len(key) > 1:
            keep = np.ones(len(key), dtype=bool)
            keep[1:] = (key[1:] != key[:-1]) | (seg[1:] != seg[:-1])
            key, seg = key[keep], seg[keep]
        cells, starts = np.unique(key, return_index=True)
        self._keys = array("q", cells.astype(np.int64).tobytes())
        self._starts = array("i", np.append(starts, len(key)).astype(np.int32).tobytes())
        self._segments = array("i", seg.astype(np.int32).tobytes())

    def _long_segment_cells(self, i: int) -> list[tuple[int, int]]:
        lat0, lon0, lat1, lon1 = self.lats[i], self.lons[i], self.lats[i + 1], self.lons[i + 1]
        # split so each piece's bounding box spans at most 2 x 2 cells
        pieces = max(1, math.ceil(max(abs(lat1 - lat0), abs(lon1 - lon0)) / CELL_DEG))
        found = []
        for k in range(pieces):
            a, b = k / pieces, (k + 1) / pieces
            la, lb = lat0 + (lat1 - lat0) * a, lat0 + (lat1 - lat0) * b
            oa, ob = lon0 + (lon1 - lon0) * a, lon0 + (lon1 - lon0) * b
            for cy in range(math.floor(min(la, lb) / CELL_DEG),
                            math.floor(max(la, lb) / CELL_DEG) + 1):
                for cx in range(math.floor(min(oa, ob) / CELL_DEG),
                                math.floor(max(oa, ob) / CELL_DEG) + 1):
                    found.append((_cell_key(cy, cx), i))
        return found

    def _cell(self, cy: int, cx: int) -> array | tuple[()]:
        key = _cell_key(cy, cx)
        n = bisect_left(self._keys, key)
        if n == len(self._keys) or self._keys[n] != key:
            return ()
        return self._segments[self._starts[n]:self._starts[n + 1]]

    def _distance2(self, i: int, lat: float, lon: float, kx: float) -> float:
        """Squared distance in m² from the position to segment i (local projection)."""
        lons, lats = self.lons, self.lats
        ax = (lons[i] - lon) * kx
        ay = (lats[i] - lat) * M_PER_DEG
        dx = (lons[i + 1] - lon) * kx - ax
        dy = (lats[i + 1] - lat) * M_PER_DEG - ay
        length2 = dx * dx + dy * dy
        t = 0.0 if length2 == 0 else min(1.0, max(0.0, -(ax * dx + ay * dy) / length2))
        ex, ey = ax + t * dx, ay + t * dy
        return ex * ex + ey * ey

    def _segment_distance(self, i: int, lat: float, lon: float, kx: float) -> float:
        return math.sqrt(self._distance2(i, lat, lon, kx))

    def nearest_within(self, lat: float, lon: float, limit_m: float) -> tuple[int, float]:
        """(segment, distance) of the nearest segment within `limit_m`, or (-1, inf)."""
        kx = M_PER_DEG * max(math.cos(lat * RAD), 1e-6)
        dlat = limit_m / M_PER_DEG
        dlon = limit_m / kx
        seen: set[int] = set()
        best, best_i = math.inf, -1
        for cy in range(math.floor((lat - dlat) / CELL_DEG),
                        math.floor((lat + dlat) / CELL_DEG) + 1):
            for cx in range(math.floor((lon - dlon) / CELL_DEG),
                            math.floor((lon + dlon) / CELL_DEG) + 1):
                for i in self._cell(cy, cx):
                    if i not in seen:
                        seen.add(i)
                        d2 = self._distance2(i, lat, lon, kx)
                        if d2 < best:
                            best, best_i = d2, i
        best = math.sqrt(best)
        return (best_i, best) if best <= limit_m else (-1, math.inf)

    def distance_within(self, lat: float, lon: float, limit_m: float) -> float | None:
        """The distance to the route if it is at most `limit_m`, else None."""
        i, d = self.nearest_within(lat, lon, limit_m)
        return d if i >= 0 else None

    def near_hint(self, lat: float, lon: float, limit_m: float, hint: int) -> int:
        """The hinted segment or the next one if within `limit_m`, else -1: the whole cost
        of a report from a vehicle driving along its route (inlined for speed)."""
        lons, lats = self.lons, self.lats
        kx = M_PER_DEG * math.cos(lat * RAD)
        limit2 = limit_m * limit_m
        last = len(lats) - 2
        for i in (hint, hint + 1):
            if i > last:
                return -1
            ax = (lons[i] - lon) * kx
            ay = (lats[i] - lat) * M_PER_DEG
            dx = (lons[i + 1] - lon) * kx - ax
            dy = (lats[i + 1] - lat) * M_PER_DEG - ay
            length2 = dx * dx + dy * dy
            t = 0.0 if length2 == 0 else -(ax * dx + ay * dy) / length2
            t = 0.0 if t < 0.0 else 1.0 if t > 1.0 else t
            ex, ey = ax + t * dx, ay + t * dy
            if ex * ex + ey * ey <= limit2:
                return i
        return -1

    def near_segment(self, lat: float, lon: float, limit_m: float, hint: int = 0) -> int:
        """A segment within `limit_m` of the position, or -1: the hot path of the deviation
        test. Tries the hinted segment and the next two (a vehicle moving along), then the
        position's own cell, then the cells the corridor touches."""
        kx = M_PER_DEG * max(math.cos(lat * RAD), 1e-6)
        limit2 = limit_m * limit_m
        last = len(self.lats) - 2
        for i in (hint, hint + 1, hint + 2):
            if 0 <= i <= last and self._distance2(i, lat, lon, kx) <= limit2:
                return i
        for i in self._cell(math.floor(lat / CELL_DEG), math.floor(lon / CELL_DEG)):
            if self._distance2(i, lat, lon, kx) <= limit2:
                return i
        return self.nearest_within(lat, lon, limit_m)[0]

    def is_near(self, lat: float, lon: float, limit_m: float) -> bool:
        """Is the position within `limit_m` of the route?"""
        return self.near_segment(lat, lon, limit_m) >= 0

    def distance(self, lat: float, lon: float) -> float:
        """The distance to the nearest segment, scanning them all (for evidence only)."""
        kx = M_PER_DEG * max(math.cos(lat * RAD), 1e-6)
        return math.sqrt(min(self._distance2(i, lat, lon, kx)
                             for i in range(len(self.lats) - 1)))

    def nbytes(self) -> int:
        """Bytes held by the coordinate and index arrays (for memory accounting)."""
        return sum(a.itemsize * len(a) for a in (self.lons, self.lats, self._keys,
                                                 self._starts, self._segments))
