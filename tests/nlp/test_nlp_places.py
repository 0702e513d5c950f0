"""Places mentioned: the shipped coordinate table, the lookup, the enricher field and the builder."""
from __future__ import annotations

import json

from transforms.nlp.entities import read_gazetteer_entries
from transforms.nlp.places import PLACES_FILE, PlaceTable, default_table
from transforms.nlp.training import places_build as pb

# Rough bounding boxes (lat_min, lat_max, lon_min, lon_max), Karimunjawa and Bawean included.
CENTRAL_JAVA = (-8.3, -5.7, 108.5, 111.8)
EAST_JAVA = (-8.9, -5.0, 110.8, 116.3)
INDONESIA = (-11.2, 6.3, 94.9, 141.1)


def inside(place: dict, box: tuple[float, float, float, float]) -> bool:
    return box[0] <= place["lat"] <= box[1] and box[2] <= place["lon"] <= box[3]


def test_banjir_di_semarang_is_in_central_java(enricher) -> None:
    out = enricher.enrich({"text": "banjir di Semarang sejak pagi, warga mengungsi"})
    places = out["places_mentioned"]
    assert [p["name"] for p in places] == ["Semarang"]
    assert places[0]["province"] == "Jawa Tengah" and places[0]["level"] == "city"
    assert inside(places[0], CENTRAL_JAVA)


def test_lower_case_regency_and_province_get_points(enricher) -> None:
    out = enricher.enrich({"text": "jalan rusak di jombang, jawa timur kapan diperbaiki"})
    by = {p["name"]: p for p in out["places_mentioned"]}
    assert inside(by["Jombang"], EAST_JAVA) and by["Jombang"]["level"] == "regency"
    assert inside(by["Jawa Timur"], EAST_JAVA) and by["Jawa Timur"]["level"] == "province"


def test_posts_without_places_have_an_empty_list(enricher) -> None:
    assert enricher.enrich({"text": "Gak nyangka Kominfo cepet bgt 👍"})["places_mentioned"] == []
    assert enricher.enrich({"text": ""})["places_mentioned"] == []


def test_lookup_keeps_loc_only_once_in_order() -> None:
    table = default_table()
    ents = [{"label": "PER", "canonical": "Joko Widodo"}, {"label": "LOC", "canonical": "Surabaya"},
            {"label": "LOC", "canonical": "Atlantis"}, {"label": "LOC", "canonical": "surabaya"},
            {"label": "LOC", "canonical": "Jawa Tengah"}, "not an entity"]
    assert [p["name"] for p in table.places_mentioned(ents)] == ["Surabaya", "Jawa Tengah"]
    assert table.places_mentioned(None) == []
    assert table.lookup("Atlantis") is None


def test_shipped_table_covers_every_province_and_stays_in_indonesia() -> None:
    lines = PLACES_FILE.read_text(encoding="utf-8").splitlines()
    head = json.loads(lines[0])["_comment"]
    assert "GeoNames" in head and "CC BY 4.0" in head and "ODbL" in head
    table = PlaceTable.load()
    provinces = [e["canonical"] for e in read_gazetteer_entries()
                 if e.get("label") == "LOC" and e["canonical"] in {p["province"] for p in table.by_name.values()}]
    assert len({p["name"] for p in table.by_name.values() if p["level"] == "province"}) == 38
    assert len(provinces) >= 37  # DKI Jakarta is spelled otherwise in the Kemendagri list
    assert len(table.by_name) >= 400
    outside = [p["name"] for p in table.by_name.values() if not inside(p, INDONESIA)]
    assert outside == []


def test_locate_prefers_the_cluster_of_district_names() -> None:
    # "Alpha" exists twice; the district names are near the second one only.
    index = pb.place_index([
        {"countrycode": "ID", "name": "Alpha", "latitude": 2.0, "longitude": 99.0, "population": 900},
        {"countrycode": "ID", "name": "Alpha", "latitude": -7.0, "longitude": 110.0, "population": 800},
        {"countrycode": "ID", "name": "Beta", "latitude": -7.1, "longitude": 110.1, "population": 600},
        {"countrycode": "ID", "name": "Gamma", "latitude": -6.9, "longitude": 110.2, "population": 700},
        {"countrycode": "MY", "name": "Beta", "latitude": 3.0, "longitude": 101.0, "population": 9000},
    ])
    lat, lon = pb.locate(["Alpha", "Beta", "Gamma"], index)
    assert -7.1 <= lat <= -6.9 and 110.0 <= lon <= 110.2
    assert pb.locate(["Nowhere"], index) is None


def test_locate_takes_a_populous_namesake_as_the_seat() -> None:
    index = pb.place_index([
        {"countrycode": "ID", "name": "Kota", "latitude": -6.99, "longitude": 110.42, "population": 1_600_000},
        {"countrycode": "ID", "name": "Desa", "latitude": 1.0, "longitude": 120.0, "population": 600},
        {"countrycode": "ID", "name": "Dusun", "latitude": 1.1, "longitude": 120.1, "population": 600},
    ])
    assert pb.locate(["Kota", "Desa", "Dusun"], index, city=True) == (-6.99, 110.42)


def test_place_rows_province_city_and_regency() -> None:
    provinces = {"Jawa Tengah": (-7.2, 110.3), "Daerah Khusus Ibukota Jakarta": (-6.2, 106.8)}
    regencies = {"Kota Semarang": ("Jawa Tengah", (-6.99, 110.42)),
                 "Kabupaten Semarang": ("Jawa Tengah", (-7.2, 110.4)),
                 "Kabupaten Pati": ("Jawa Tengah", (-6.75, 111.04))}
    entries = [{"label": "LOC", "canonical": "Jawa Tengah", "aliases": ["Jateng"]},
               {"label": "LOC", "canonical": "DKI Jakarta", "aliases": ["Jakarta"]},
               {"label": "LOC", "canonical": "Semarang", "aliases": ["Semarang"]},
               {"label": "LOC", "canonical": "Pati", "aliases": ["Pati"], "official": ["Kabupaten Pati"]},
               {"label": "LOC", "canonical": "Danau Toba", "aliases": ["Danau Toba"]},
               {"label": "ORG", "canonical": "Pati", "aliases": ["Pati"]}]
    rows = {r["canonical"]: r for r in pb.place_rows(entries, provinces, regencies)}
    assert set(rows) == {"Jawa Tengah", "DKI Jakarta", "Semarang", "Pati"}
    assert rows["DKI Jakarta"]["level"] == "province"
    assert (rows["Semarang"]["level"], rows["Semarang"]["lat"]) == ("city", -6.99)
    assert rows["Pati"]["level"] == "regency"


def test_area_points_keep_a_regency_in_its_province(tmp_path) -> None:
    # Kabupaten Kapuas's districts "Selat" (also a village on Bali) and "Basarang": with the admin1
    # code of the province's seats (Palangka Raya), the Bali namesake is not a candidate.
    (tmp_path / "provinces.csv").write_text("code,name\n62,Kalimantan Tengah\n51,Bali\n")
    (tmp_path / "regencies.csv").write_text("code,province_code,name\n62.03,62,Kabupaten Kapuas\n"
                                            "62.71,62,Kota Palangka Raya\n51.71,51,Kota Denpasar\n")
    (tmp_path / "districts.csv").write_text("code,regency_code,name\n62.03.01,62.03,Selat\n"
                                            "62.03.02,62.03,Basarang\n62.71.01,62.71,Pahandut\n")

    def town(name, lat, lon, pop, admin1):
        return {"countrycode": "ID", "name": name, "latitude": lat, "longitude": lon,
                "population": pop, "admin1code": admin1}
    index = pb.place_index([town("Selat", -8.4355, 115.4753, 0, "02"),
                            town("Basarang", -2.9637, 114.2994, 0, "13"),
                            town("Palangka Raya", -2.2083, 113.9167, 220_000, "13"),
                            town("Denpasar", -8.65, 115.2167, 800_000, "02")])
    provinces, regencies = pb.area_points(tmp_path, index)
    assert regencies["Kabupaten Kapuas"] == ("Kalimantan Tengah", (-2.9637, 114.2994))
    assert regencies["Kota Palangka Raya"][1] == (-2.2083, 113.9167)
    assert provinces["Bali"] == (-8.65, 115.2167)
