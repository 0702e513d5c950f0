"""Places mentioned in a post, with coordinates, for the map (``places_mentioned``).

LOC entities whose canonical name (gazetteer) is a province, regency or city get the point of
``data/place_coords.jsonl`` (built by ``training/places_build.py`` from GeoNames and the
Kemendagri area list; estimates, not official centroids). Pure Python: no spaCy needed.
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

PLACES_FILE = Path(__file__).resolve().parent / "data" / "place_coords.jsonl"


class PlaceTable:
    """Canonical place name -> ``{name, level, province, lat, lon}``."""

    def __init__(self, rows: Iterable[dict]):
        self.by_name: dict[str, dict] = {}
        for row in rows:
            if "canonical" not in row:
                continue  # the comment line
            place = {"name": row["canonical"], "level": row["level"], "province": row["province"],
                     "lat": float(row["lat"]), "lon": float(row["lon"])}
            self.by_name.setdefault(row["canonical"].lower(), place)

    @classmethod
    def load(cls, path: str | Path = PLACES_FILE) -> PlaceTable:
        with Path(path).open(encoding="utf-8") as fh:
            return cls(json.loads(line) for line in fh if line.strip())

    def lookup(self, name: str) -> dict | None:
        """The place for a canonical name (case-insensitive), or None."""
        hit = self.by_name.get(" ".join(str(name).split()).lower())
        return dict(hit) if hit else None

    def places_mentioned(self, entities: Iterable[dict] | None) -> list[dict]:
        """The located places among ``entities`` (LOC only), each once, in order of mention."""
        out: list[dict] = []
        seen: set[str] = set()
        for ent in entities or ():
            if not isinstance(ent, dict) or ent.get("label") != "LOC":
                continue
            place = self.lookup(ent.get("canonical") or ent.get("text") or "")
            if place is not None and place["name"] not in seen:
                seen.add(place["name"])
                out.append(place)
        return out


@lru_cache(maxsize=1)
def default_table() -> PlaceTable:
    """The shipped table, read once per process."""
    return PlaceTable.load()
