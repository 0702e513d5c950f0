"""The tag stage: pure ``tag_document`` and ``TagPosts`` in a TestPipeline."""
import os
import time

import apache_beam as beam
import pytest
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from tests.factories import POST_V2
from transforms.logic.neardup import signature
from transforms.logic.watchlist import Watchlist, WatchlistError
from transforms.stages.normalize import normalize_post
from transforms.stages.tag import TagPostFn, TagPosts, tag_document

WATCHLIST = """\
issues:
  - name: Harga Cabai
    query: 'cabai OR cabe OR #HargaCabai'
  - name: Banjir Jakarta
    query: 'banjir (jakarta OR kemang OR #BanjirJakarta)'
    languages: [id]
  - name: Komdigi
    query: '@komdigi'
"""


def doc(post_id, text, **changes):
    post = dict(POST_V2, post_id=str(post_id), text=text, **changes)
    return normalize_post(post, b"{}", "posts", 0, int(post_id), now_ms=5)


@pytest.fixture
def watchlist_file(tmp_path):
    path = tmp_path / "issues.yaml"
    path.write_text(WATCHLIST)
    return str(path)


def test_tag_document_sets_the_three_fields_and_matches_the_schema():
    import fastavro
    from fastavro.validation import validate

    import schemas
    wl = Watchlist.from_yaml(WATCHLIST)
    out = tag_document(dict(doc(1, "Banjir lagi di Kemang, tolong @komdigi"),
                            language={"code": "jv", "confidence": 0.8, "mixed": False, "secondary": None}), wl)
    assert out["issues"] == ["Komdigi"]  # 'Banjir Jakarta' is for language id only
    out = tag_document(dict(doc(2, "Banjir lagi di Kemang"), language={"code": "id", "confidence": 0.9,
                                                                    "mixed": False, "secondary": None}), wl)
    assert out["issues"] == ["Banjir Jakarta"]
    assert out["influence"]["score"] > 0 and out["near_dup"] == signature("Banjir lagi di Kemang")
    schema = fastavro.parse_schema(schemas.schema_by_id(schemas.latest_id(schemas.ENRICHED_POST_SUBJECT)))
    assert validate(out, schema, raise_errors=True)
    assert tag_document(doc(3, "Banjir lagi"), None)["issues"] == []


def test_filters_fall_back_to_the_language_hint():
    wl = Watchlist.from_yaml(WATCHLIST)
    assert tag_document(doc(1, "banjir kemang", lang_hint="in"), wl)["issues"] == ["Banjir Jakarta"]
    assert tag_document(doc(1, "banjir kemang", lang_hint="en"), wl)["issues"] == []


def test_stage_tags_documents_and_sends_failures_to_dead_letters(watchlist_file):
    good = [doc(1, "Harga cabai naik lagi #HargaCabai", hashtags=[]),
            doc(2, "Banjir lagi di Kemang", hashtags=[]),
            doc(3, "Terima kasih @komdigi", hashtags=[])]
    bad = dict(doc(4, "x"), text_clean=12345)  # not a string: the tagger raises
    with TestPipeline() as p:
        tagged, dead = p | beam.Create(good + [bad]) | "TagPosts" >> TagPosts(watchlist_file)
        assert_that(tagged | beam.Map(lambda d: (d["doc_id"], tuple(d["issues"]),
                                                 d["near_dup"] is not None, d["influence"] is not None)),
                    equal_to([("x:1", ("Harga Cabai",), True, True),
                              ("x:2", ("Banjir Jakarta",), True, True),
                              ("x:3", ("Komdigi",), True, True)]), label="Tagged")
        assert_that(dead | beam.Map(lambda d: (d["stage"], d["error_kind"], d["key"], d["offset"])),
                    equal_to([("tag", "tag_error", b"x:4", 4)]), label="DeadLetters")


def test_stage_without_a_watchlist_still_computes_influence_and_near_dup():
    with TestPipeline() as p:
        tagged, dead = p | beam.Create([doc(1, "Harga cabai naik")]) | TagPosts(None)
        assert_that(tagged | beam.Map(lambda d: (d["issues"], sorted(d["influence"]), len(d["near_dup"]["bands"]))),
                    equal_to([([], ["author", "engagement", "engagement_rate", "reach", "score"], 6)]))
        assert_that(dead, equal_to([]), label="NoDeadLetters")


def test_an_invalid_watchlist_fails_at_construction_with_its_line(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("issues:\n  - name: A\n    query: 'a AND'\n")
    with pytest.raises(WatchlistError, match=r"bad.yaml:3: issue 'A'.*dangling AND"):
        TagPosts(str(path))


def test_the_fn_reloads_an_edited_file_and_keeps_the_old_one_when_the_edit_is_broken(watchlist_file):
    fn = TagPostFn(watchlist_file, reload_interval_s=0)
    fn.setup()
    post = doc(1, "Harga cabai naik")
    assert next(iter(fn.process(post)))["issues"] == ["Harga Cabai"]

    def edit(text):
        with open(watchlist_file, "w") as f:
            f.write(text)
        stamp = time.time() + 5 * (edit.count + 1)  # a distinct mtime even on coarse clocks
        os.utime(watchlist_file, (stamp, stamp))
        edit.count += 1
        fn.start_bundle()
    edit.count = 0

    edit("issues:\n  - name: Cabai Rawit\n    query: cabai\n")
    assert next(iter(fn.process(post)))["issues"] == ["Cabai Rawit"]
    edit("issues:\n  - name: Broken\n    query: '(cabai'\n")
    assert next(iter(fn.process(post)))["issues"] == ["Cabai Rawit"]
