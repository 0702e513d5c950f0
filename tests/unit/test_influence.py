"""Influence formulas: reach, engagement, rate, post score and author influence."""
import math

import pytest

from transforms.logic.influence import (
    activity,
    audience,
    author_influence,
    engagement_rate,
    estimated_reach,
    post_influence,
    post_score,
    weighted_engagement,
)


def doc(followers=1000, verified=False, likes=0, replies=0, reposts=0, quotes=0, views=None):
    return {"author": {"id": "a", "handle": "a", "followers": followers, "verified": verified},
            "engagement": {"likes": likes, "replies": replies, "reposts": reposts, "quotes": quotes,
                           "views": views}}


def test_log_scales_are_clamped():
    assert audience(0) == 0 and audience(None) == 0 and audience(-5) == 0
    assert audience(9_999_999) == pytest.approx(1.0, abs=1e-6) and audience(10 ** 9) == 1.0
    assert audience(999) == pytest.approx(3 / 7, abs=1e-3)
    assert activity(99_999) == pytest.approx(1.0, abs=1e-6) and activity(float("nan")) == 0


def test_engagement_reach_and_rate():
    counts = {"likes": 10, "replies": 2, "reposts": 3, "quotes": 1, "views": None}
    assert weighted_engagement(counts) == 10 + 4 + 9 + 2
    assert weighted_engagement(None) == 0 and weighted_engagement({"likes": "x"}) == 0
    assert estimated_reach(500, counts) == 500 + 100 * 4
    assert estimated_reach(500, dict(counts, views=12345)) == 12345
    assert estimated_reach(None, {}) == 0
    assert engagement_rate(25, 1000) == 0.025
    assert engagement_rate(25, 3) == 0.25      # followers floored at 100
    assert engagement_rate(25, None) == 0.25


def test_author_influence():
    small, big = author_influence(30), author_influence(2_000_000)
    assert 0 <= small < 20 < 70 < big <= 100
    assert author_influence(30, verified=True) == pytest.approx(small + 15)
    assert author_influence(10 ** 8, True) == 100
    # with a history the engagement term replaces the audience stand-in
    quiet = author_influence(10_000, engagements=[0, 1, 2])
    lively = author_influence(10_000, engagements=[5000, 8000, 20000])
    assert quiet < author_influence(10_000) < lively
    assert author_influence(10_000, engagements=[]) == author_influence(10_000)


def test_post_score_formula():
    assert post_score(0, 0, 0) == 0
    assert post_score(10 ** 8, 10 ** 6, 100) == 100
    reach, eng, author = 5000.0, 120.0, 40.0
    expected = 100 * (0.4 * math.log10(5001) / 7 + 0.4 * math.log10(121) / 5 + 0.2 * 0.4)
    assert post_score(reach, eng, author) == pytest.approx(expected, abs=0.01)


def test_post_influence_field_shape_and_ordering():
    buzzer = post_influence(doc(followers=12, likes=1))
    kol = post_influence(doc(followers=850_000, verified=True, likes=4200, replies=300, reposts=900))
    outlet_quiet = post_influence(doc(followers=1_150_000, verified=True))
    assert set(kol) == {"author", "reach", "engagement", "engagement_rate", "score"}
    assert all(isinstance(v, float) for v in kol.values())
    assert all(0 <= d["score"] <= 100 and 0 <= d["author"] <= 100 for d in (buzzer, kol, outlet_quiet))
    assert buzzer["score"] < 15 < outlet_quiet["score"] < kol["score"]
    assert outlet_quiet["author"] > kol["author"] - 5  # author value ignores this post's engagement
    assert kol["engagement"] == 4200 + 600 + 2700


def test_missing_fields_do_not_break():
    assert post_influence({})["score"] == 0
    assert post_influence({"author": {"followers": None}, "engagement": None})["reach"] == 0
