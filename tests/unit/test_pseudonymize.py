"""Keyed pseudonymization of authors and mentions."""
import apache_beam as beam
import pytest
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from tests.factories import POST_V2
from transforms.stages.normalize import normalize_post
from transforms.stages.pseudonymize import PseudonymizePosts, Pseudonymizer

KEY = b"0123456789abcdef-test-key"


def doc(**changes):
    post = dict(POST_V2, text="@Budi_S bilang harga cabai naik, cc @kemenkeuri", mentions=["budi_s"], **changes)
    return normalize_post(post, b'{"author":{"id":"a1","handle":"budi"}}', now_ms=1)


def test_pseudonyms_are_stable_keyed_and_hide_identifiers():
    p = Pseudonymizer(KEY)
    out = p.document(doc())
    assert out["author"]["id"].startswith("pid_") and "a1" not in out["author"]["id"]
    assert out["author"]["handle"] == p.handle("budi") and out["author"]["display_name"] is None
    assert out["mentions"] == [p.handle("budi_s"), p.handle("kemenkeuri")]
    assert "Budi_S" not in out["text"] and f"@{p.handle('budi_s')}" in out["text"]
    assert out["raw"] == ""
    # the same account gets the same pseudonym as author and as mention, across posts
    assert p.handle("@Budi_S") == p.handle("budi_s")
    assert p.document(doc(post_id="2"))["author"]["id"] == out["author"]["id"]
    # another key, other pseudonyms
    assert Pseudonymizer(b"another-key-0123456789").handle("budi") != p.handle("budi")


def test_allowlisted_institutions_stay_in_clear():
    p = Pseudonymizer(KEY, allowlist=["@KemenkeuRI"])
    out = p.document(doc())
    assert p.handle("kemenkeuri") == "kemenkeuri"
    assert "@kemenkeuri" in out["text"] and "kemenkeuri" in out["mentions"]


def test_short_key_is_refused():
    with pytest.raises(ValueError):
        Pseudonymizer(b"short")


def test_stage_reads_the_key_from_the_environment(monkeypatch):
    monkeypatch.setenv("PANTAU_PSEUDONYM_KEY", KEY.decode())
    expected = Pseudonymizer(KEY).document(doc())["author"]["id"]
    with TestPipeline() as p:
        docs, dead = p | beam.Create([doc()]) | PseudonymizePosts()
        assert_that(docs | beam.Map(lambda d: d["author"]["id"]), equal_to([expected]), label="Docs")
        assert_that(dead, equal_to([]), label="NoDeadLetters")
