"""Normalization rules of transforms.nlp.textnorm."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.nlp import textnorm
from transforms.nlp.textnorm import (
    apply_slang,
    clean_tokens,
    collapse_elongation,
    expand_reduplication,
    load_slang,
    normalize,
    split_hashtag,
)


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("gak", "tidak"), ("nggak", "tidak"), ("ga", "tidak"), ("ngga", "tidak"),
        ("yg", "yang"), ("bgt", "banget"), ("udh", "sudah"), ("udah", "sudah"),
        ("dgn", "dengan"), ("krn", "karena"), ("sy", "saya"), ("gpp", "tidak apa-apa"),
    ],
)
def test_slang_entries(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


def test_slang_list_is_large_and_clean() -> None:
    table = load_slang()
    assert len(table) >= 300
    assert all(k == k.lower() and k.strip() == k and v for k, v in table.items())
    assert all(k != v for k, v in table.items())


@pytest.mark.parametrize(
    "raw, expected",
    [("bangeeet", "banget"), ("tidaaaak", "tidak"), ("maaaaf", "maaf"), ("kebersamaaan", "kebersamaan"),
     ("wkwkwkwkwk", "wkwk"), ("enak", "enak"), ("saat", "saat")],
)
def test_elongation(raw: str, expected: str) -> None:
    assert collapse_elongation(raw) == expected


@pytest.mark.parametrize(
    "raw, expected",
    [("anak2", "anak-anak"), ("hati2", "hati-hati"), ("k212", "k212"), ("ke2", "ke2"), ("2019", "2019")],
)
def test_reduplication(raw: str, expected: str) -> None:
    assert expand_reduplication(raw) == expected


def test_reduplication_with_slang_parts() -> None:
    assert normalize("org2 bener2 seneng") == "orang-orang benar-benar senang"


@pytest.mark.parametrize(
    "tag, expected",
    [("BanjirJakarta", "banjir jakarta"), ("#Pilpres2024", "pilpres 2024"), ("KPK", "kpk"),
     ("savePapua", "save papua"), ("banjir", "banjir")],
)
def test_split_hashtag(tag: str, expected: str) -> None:
    assert split_hashtag(tag) == expected


def test_urls_mentions_hashtags_emoji() -> None:
    out = normalize("@budi_01 Gak nyangka bangeeet 😍😍 #BanjirJakarta https://t.co/xyz www.detik.com/a")
    assert out == "tidak nyangka banget 😍 😍 banjir jakarta"
    assert "😍" in normalize("mantap 😍")
    assert normalize("lihat https://x.id/a", url_token="<url>").split()[-1] == "<url>"
    assert normalize("@ani halo", mention_token="@user").startswith("@user")


def test_slang_only_for_indonesian() -> None:
    assert normalize("ga ngerti", lang="jv") == "ga ngerti"
    assert normalize("ga ngerti", lang="id") == "tidak mengerti"


def test_nfkc_and_punctuation() -> None:
    assert normalize("ｍａｎｔａｐ!!!") == "mantap !"


def test_original_not_modified_and_pure() -> None:
    text = "Gak  BANGEEET"
    copy = str(text)
    assert normalize(text) == normalize(text)
    assert text == copy


def test_max_chars() -> None:
    assert len(clean_tokens("kata " * 1000, max_chars=50)) == 10


def test_apply_slang_custom_table() -> None:
    assert apply_slang(["a", "b-a"], {"a": "x"}) == ["x", "b-x"]


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300))
def test_normalize_never_raises(text: str) -> None:
    out = normalize(text)
    assert isinstance(out, str)
    assert "  " not in out
    assert textnorm.normalize(out) == textnorm.normalize(out)
