"""The review page's pure parts: the HTML, the export rows and the agreement as indexed."""
from __future__ import annotations

import pytest

from transforms.analyst.review import (
    ReviewError,
    corrected_entities,
    corrected_places,
    export_ner_rows,
    export_rows,
    indexed_accuracy,
    locate_span,
    render_page,
)

POST = {"doc_id": "x:1", "text": "<b>mantap</b>, banjir lagi", "author": {"handle": "@ani"}, "platform": "x",
        "language": {"code": "id"}, "sentiment": {"label": "positive", "score": 0.41}}


def test_page_escapes_text_and_preselects_the_model_label():
    page = render_page(["Banjir", "BBM"], [POST], "Banjir", "ani", "Tersimpan: x:0")
    assert "&lt;b&gt;mantap&lt;/b&gt;" in page and "<b>mantap" not in page
    assert 'value="positive" checked' in page and 'value="negative">' in page
    assert '<option value="Banjir" selected>' in page and "yakin 41%" in page
    assert 'id="message">Tersimpan: x:0' in page and 'data-doc="x:1"' in page


def test_empty_queue_says_so():
    assert "Tidak ada unggahan yang perlu ditinjau." in render_page([], [], None, "ani")


REVIEWS = [
    {"doc_id": "x:1", "text": "mantap, banjir lagi", "reviewer": "ani", "platform": "x",
     "model": {"sentiment": "positive", "language": "id"}, "corrected": {"sentiment": "negative"}},
    {"doc_id": "x:2", "text": "aman", "reviewer": "budi",
     "model": {"sentiment": "neutral", "language": "jv"}, "corrected": {"sentiment": "neutral", "language": "id"}},
    {"doc_id": "x:3", "text": "kulo", "reviewer": "budi", "model": {"sentiment": "neutral", "language": "id"},
     "corrected": {"language": "jv"}},
]


def test_export_rows_are_evaluate_jsonl():
    assert list(export_rows(REVIEWS)) == [
        {"text": "mantap, banjir lagi", "label": "negative", "lang": "id", "doc_id": "x:1", "reviewer": "ani",
         "register": "x"},  # the platform is the register; reviews stored without one have none
        {"text": "aman", "label": "neutral", "lang": "id", "doc_id": "x:2", "reviewer": "budi"}]


def test_accuracy_as_indexed():
    assert indexed_accuracy(REVIEWS) == {"sentiment": {"n": 2, "accuracy": 0.5},
                                         "language": {"n": 2, "accuracy": 0.0},
                                         "entities": {"n": 0, "accuracy": None}}
    assert indexed_accuracy([])["sentiment"] == {"n": 0, "accuracy": None}


ENTITIES = [{"text": "Anies", "label": "PER", "start": 0, "end": 5},
            {"text": "Jakarta", "label": "ORG", "start": 10, "end": 17},
            {"text": "Mantap", "label": "PER", "start": 20, "end": 26}]


def test_entity_corrections_only_when_a_label_changed():
    assert corrected_entities(ENTITIES, {}) is None
    assert corrected_entities(ENTITIES, {0: "PER", 1: "ORG"}) is None  # confirmed as shown: not gold
    fixed = corrected_entities(ENTITIES, {1: "LOC", 2: "none"})
    assert fixed == [{"start": 0, "end": 5, "text": "Anies", "label": "PER"},
                     {"start": 10, "end": 17, "text": "Jakarta", "label": "LOC"}]
    with pytest.raises(ReviewError, match="label must be one of"):
        corrected_entities(ENTITIES, {0: "PERSON"})
    with pytest.raises(ReviewError):
        corrected_entities(ENTITIES, {7: "PER"})
    review = {"doc_id": "x:9", "text": "Anies di Jakarta. Mantap",
              "model": {"entities": [{k: e[k] for k in ("start", "end", "text", "label")} for e in ENTITIES]},
              "corrected": {"entities": fixed}}
    assert list(export_ner_rows([review])) == [{"text": "Anies di Jakarta. Mantap", "doc_id": "x:9", "entities": [
        {"start": 0, "end": 5, "label": "PER"}, {"start": 10, "end": 17, "label": "LOC"}]}]
    assert indexed_accuracy([review])["entities"] == {"n": 3, "accuracy": 0.3333}


def test_page_offers_entity_labels():
    page = render_page([], [{**POST, "entities": ENTITIES[:1]}], None, "ani")
    assert '<select name="entity_0"><option value="PER" selected>Orang</option>' in page
    assert '<option value="none">Bukan entitas</option>' in page


def test_added_entities_are_located_in_the_text_and_exported():
    text = "Pak Ganjar meninjau banjir di Demak bersama BPBD; demak masih tergenang"
    model = [{"text": "Ganjar", "label": "PER", "start": 4, "end": 10}]
    fixed = corrected_entities(model, {}, (("BPBD", "ORG"), ("Demak", "LOC")), text)
    assert fixed == [{"start": 4, "end": 10, "text": "Ganjar", "label": "PER"},
                     {"start": 30, "end": 35, "text": "Demak", "label": "LOC"},
                     {"start": 44, "end": 48, "text": "BPBD", "label": "ORG"}]
    # the next occurrence when the first is taken; case-insensitive as a fallback; word boundaries
    assert locate_span(text, "Demak", "LOC", fixed)["start"] == 50
    assert locate_span(text, "bpbd", "ORG", [])["text"] == "BPBD"
    with pytest.raises(ReviewError, match="not in the post's text"):
        locate_span(text, "Dema", "LOC", [])
    with pytest.raises(ReviewError, match="not in the post's text"):
        locate_span(text, "Ganjar", "PER", model)
    with pytest.raises(ReviewError, match="label must be one of"):
        locate_span(text, "Demak", "PLACE", [])
    review = {"doc_id": "x:5", "text": text, "model": {"entities": model}, "corrected": {"entities": fixed}}
    assert [e["label"] for e in next(export_ner_rows([review]))["entities"]] == ["PER", "LOC", "ORG"]
    assert indexed_accuracy([review])["entities"] == {"n": 1, "accuracy": 1.0}


def test_page_offers_adding_a_missed_entity():
    page = render_page([], [POST], None, "ani")
    assert '<input name="add_text"' in page
    assert '<select name="add_label"><option value="PER">Orang</option>' in page


def test_the_map_follows_an_entity_correction():
    text = "Banjir di Jateng, warga Demak mengungsi ke rumah Pak Semarang"
    model = [{"text": "Jateng", "label": "LOC", "start": 10, "end": 16, "canonical": "Jawa Tengah"},
             {"text": "Semarang", "label": "LOC", "start": 53, "end": 61, "canonical": "Semarang"}]
    # "Semarang" is a person here; "Demak" was missed
    fixed = corrected_entities(model, {1: "PER"}, (("Demak", "LOC"),), text)
    places = corrected_places(model, fixed)
    assert [p["name"] for p in places] == ["Jawa Tengah", "Demak"]  # the model's canonical, then the text
    assert all(isinstance(p["lat"], float) and isinstance(p["lon"], float) for p in places)
    assert corrected_places(model, corrected_entities(model, {0: "none", 1: "PER"}, (), text)) == []
