"""Influence: how far a post travels and how much weight its author carries. Pure functions.

Every term is log-scaled (audiences and interactions span six orders of magnitude: a buzzer
account with 30 followers and a national news outlet with millions) and clamped to 0..1:

* ``audience(f)   = min(1, log10(1 + f) / 7)``          10 million followers -> 1
* ``activity(e)   = min(1, log10(1 + e) / 5)``          100,000 weighted interactions -> 1

Per post (:func:`post_influence`, the document's ``influence`` field):

* ``engagement = likes + 2*replies + 3*reposts + 2*quotes`` - reposts spread the post to new
  audiences, replies and quotes are conversations, a like is the cheapest signal.
* ``reach = views`` when the platform reports views; otherwise
  ``followers + 100 * (reposts + quotes)`` (each share is assumed to reach ~100 more people,
  the median audience of a sharing account) - an estimate, not a measurement.
* ``engagement_rate = engagement / max(followers, 100)``: interactions per follower; the floor
  of 100 keeps an account with 3 followers and 10 likes from looking like a star.
* ``score = 100 * (0.4 * audience(reach) + 0.4 * activity(engagement) + 0.2 * author/100)``,
  0..100: equal parts "how many saw it" and "how many reacted", plus who said it.

Per author (:func:`author_influence`, the ``influence.author`` field):

* ``author = 100 * (0.70 * audience(followers) + 0.15 * verified + 0.15 * activity(typical))``
  where ``typical`` is the median engagement of the author's recent posts. When that history
  is not known (the streaming stage sees one post at a time) the audience term stands in for
  it: ``author = 100 * (0.85 * audience(followers) + 0.15 * verified)``. So a per-post document
  carries a stable author value (same followers and badge -> same number), and a batch job that
  knows the author's posts can refine it with the same function.

KOL ranking in Kibana: a terms aggregation on ``author.handle`` (keyword), filtered by
``issues`` (keyword), ordered by the ``sum`` (volume x impact) or ``max`` (single biggest post)
of ``influence.score`` (float) - all three are mapped for aggregation in the index template.
"""
from __future__ import annotations

import math
from collections.abc import Iterable
from statistics import median
from typing import Any

__all__ = ["audience", "activity", "weighted_engagement", "estimated_reach", "engagement_rate",
           "author_influence", "post_score", "post_influence"]

AUDIENCE_FULL_LOG10 = 7.0      # 10M followers / views -> audience 1
ACTIVITY_FULL_LOG10 = 5.0      # 100k weighted interactions -> activity 1
WEIGHTS = {"likes": 1.0, "replies": 2.0, "reposts": 3.0, "quotes": 2.0}
REACH_PER_SHARE = 100.0
RATE_FOLLOWER_FLOOR = 100


def _count(value: Any) -> float:
    """A non-negative count from a possibly missing or bad value."""
    try:
        number = float(value or 0)
    except (TypeError, ValueError):
        return 0.0
    return number if math.isfinite(number) and number > 0 else 0.0


def audience(size: float) -> float:
    """Log-scaled audience size, 0..1."""
    return min(1.0, math.log10(1.0 + _count(size)) / AUDIENCE_FULL_LOG10)


def activity(engagement: float) -> float:
    """Log-scaled weighted engagement, 0..1."""
    return min(1.0, math.log10(1.0 + _count(engagement)) / ACTIVITY_FULL_LOG10)


def weighted_engagement(engagement: dict[str, Any] | None) -> float:
    """likes + 2*replies + 3*reposts + 2*quotes."""
    engagement = engagement or {}
    return sum(w * _count(engagement.get(k)) for k, w in WEIGHTS.items())


def estimated_reach(followers: Any, engagement: dict[str, Any] | None) -> float:
    """Views when known, else followers + 100 per repost or quote."""
    engagement = engagement or {}
    if engagement.get("views") is not None:
        return _count(engagement["views"])
    shares = _count(engagement.get("reposts")) + _count(engagement.get("quotes"))
    return _count(followers) + REACH_PER_SHARE * shares


def engagement_rate(engagement: float, followers: Any) -> float:
    """Weighted engagement per follower (followers floored at 100)."""
    return _count(engagement) / max(_count(followers), RATE_FOLLOWER_FLOOR)


def author_influence(followers: Any, verified: bool = False,
                     engagements: Iterable[float] | None = None) -> float:
    """Author influence 0..100 from followers, the verified badge and, when known, the
    engagement of the author's recent posts (see the module docstring)."""
    aud = audience(followers)
    history = [_count(e) for e in engagements] if engagements is not None else []
    typical = activity(median(history)) if history else aud
    return round(100.0 * (0.70 * aud + 0.15 * (1.0 if verified else 0.0) + 0.15 * typical), 2)


def post_score(reach: float, engagement: float, author: float) -> float:
    """Post influence 0..100."""
    value = 0.4 * audience(reach) + 0.4 * activity(engagement) + 0.2 * min(max(author, 0.0), 100.0) / 100
    return round(100.0 * value, 2)


def post_influence(doc: dict[str, Any], author_engagements: Iterable[float] | None = None
                   ) -> dict[str, float]:
    """The ``influence`` field of a document: author, reach, engagement, engagement_rate, score."""
    author = doc.get("author") or {}
    followers = author.get("followers")
    counts = doc.get("engagement") or {}
    engagement = weighted_engagement(counts)
    reach = estimated_reach(followers, counts)
    author_value = author_influence(followers, bool(author.get("verified")), author_engagements)
    return {
        "author": author_value,
        "reach": reach,
        "engagement": engagement,
        "engagement_rate": round(engagement_rate(engagement, followers), 6),
        "score": post_score(reach, engagement, author_value),
    }
