"""Spike, crisis and coordination detection: the pure logic behind ``pantau monitor``.

Nothing here talks to a server: :mod:`transforms.analyst.monitor` queries Elasticsearch, turns the
aggregations into the small records below, and calls these functions; the unit tests call them
on synthetic histograms.

Volume spike (per issue, and for :data:`ALL_POSTS`, every post)
    ``count`` = posts in the current window (``window_s``, default 300 s, ending now);
    ``baseline`` = the ``baseline_windows`` (default 12) windows before it, as counts.
    mean = mean(baseline); median = median(baseline);
    spread = max(1.4826 * MAD(baseline), sqrt(max(mean, 1)))  -- the MAD keeps an earlier spike
    inside the baseline from hiding a new one, the Poisson floor keeps a flat or sparse baseline
    from turning every wobble into a huge z;
    ratio = count / max(mean, 1); z = (count - median) / spread.
    Raised when count >= ``min_count`` (20) and ratio >= ``min_ratio`` (3.0) and z >= ``min_z`` (3.0).

Negative surge (per issue and for all posts)
    share = negative / count now; baseline share = sum(negative) / sum(count) over the baseline
    (``neg_prior_share``, 0.25, when the baseline is empty); p0 = max(baseline share, 0.05);
    z = (share - p0) / sqrt(p0 (1 - p0) / count)  (one-proportion z-test).
    Raised when negative >= ``neg_min_count`` (10) and share >= ``neg_min_share`` (0.4) and
    share - baseline share >= ``neg_min_delta`` (0.2) and z >= ``neg_min_z`` (3.0).

Dedup and cooldown (:func:`reconcile`)
    One alert per key (``issue|kind``, or ``coordination|cluster_id``) while the condition
    persists. A key with an active alert is only refreshed (``last_seen_at``). An active alert
    whose condition has been absent for ``resolve_after_s`` (300 s) is resolved. A new alert for
    a key is suppressed while its previous alert started less than ``cooldown_s`` (1800 s) ago,
    so a flapping condition does not page people every few minutes.

Coordination (near-duplicate amplification, "buzzers")
    Posts sharing an LSH band (``near_dup.bands``) within ``window_s`` (600 s) are candidate
    near-duplicates. Bands also collide by chance (short bands: ~6% of organic pairs share one),
    so in each band only the posts within ``max_hamming`` (8) bits of the band's medoid SimHash
    (the fingerprint with the most such neighbours) are kept. A band whose kept posts come from
    at least ``min_accounts`` (5) distinct authors is a candidate; candidate bands that share
    documents are merged (union-find) into one cluster, kept when it still has at least
    ``min_accounts`` distinct authors. Its score (0-1) is documented in
    :func:`coordination_score`.
"""
from __future__ import annotations

import hashlib
import math
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

ALL_POSTS = "_all"  # the pseudo-issue covering every post
VOLUME_SPIKE = "volume_spike"
NEGATIVE_SURGE = "negative_surge"
COORDINATION = "coordination"
KINDS = (VOLUME_SPIKE, NEGATIVE_SURGE, COORDINATION)


@dataclass(frozen=True)
class SpikeThresholds:
    """Thresholds of the volume-spike and negative-surge detectors (see the module docstring)."""
    window_s: int = 300
    baseline_windows: int = 12
    min_count: int = 20
    min_ratio: float = 3.0
    min_z: float = 3.0
    neg_min_count: int = 10
    neg_min_share: float = 0.4
    neg_min_delta: float = 0.2
    neg_min_z: float = 3.0
    neg_prior_share: float = 0.25
    cooldown_s: int = 1800
    resolve_after_s: int = 300


@dataclass(frozen=True)
class CoordinationThresholds:
    """Thresholds of the coordination detector (see the module docstring)."""
    window_s: int = 600
    min_accounts: int = 5          # distinct accounts for a band / cluster to count
    min_band_docs: int = 5         # min_doc_count of the band terms aggregation
    max_bands: int = 500           # bands examined per cycle (most populated first)
    max_members: int = 100         # documents fetched per band (top_hits; ES caps it at 100)
    low_followers: int = 100       # accounts with fewer followers count as low-follower
    max_hamming: int = 8           # members must be this close (bits) to their band's medoid
    saturate_accounts: int = 50    # the size component of the score is 1 from this many accounts


@dataclass(frozen=True)
class WindowCounts:
    """Counts of one issue: the current window and the baseline windows before it."""
    issue: str
    window_start_ms: int
    window_end_ms: int
    count: int
    negative: int
    baseline_counts: tuple[int, ...]
    baseline_negative: tuple[int, ...]


@dataclass(frozen=True)
class Baseline:
    """Summary of the baseline windows."""
    mean: float
    median: float
    mad: float
    spread: float


@dataclass(frozen=True)
class Detection:
    """A condition that holds now: what an alert is raised (or kept active) for."""
    issue: str
    kind: str
    window_start_ms: int
    window_end_ms: int
    count: int
    baseline: float = 0.0
    baseline_median: float = 0.0
    spread: float = 0.0
    ratio: float = 0.0
    z: float = 0.0
    negative_count: int = 0
    negative_share: float = 0.0
    baseline_negative_share: float = 0.0
    cluster_id: str | None = None
    details: Mapping[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """Dedup key: ``issue|kind``, or ``coordination|cluster_id`` for clusters."""
        if self.kind == COORDINATION:
            return f"{COORDINATION}|{self.cluster_id}"
        return f"{self.issue}|{self.kind}"


def baseline_stats(counts: Sequence[int]) -> Baseline:
    """Mean, median, MAD and the robust spread of baseline counts (empty: all zero)."""
    values = [float(c) for c in counts] or [0.0]
    mean = statistics.fmean(values)
    median = statistics.median(values)
    mad = statistics.median(abs(v - median) for v in values)
    spread = max(1.4826 * mad, math.sqrt(max(mean, 1.0)))
    return Baseline(mean, median, mad, spread)


def detect_volume(w: WindowCounts, t: SpikeThresholds) -> Detection | None:
    """A volume_spike detection for the window, or None."""
    b = baseline_stats(w.baseline_counts)
    ratio = w.count / max(b.mean, 1.0)
    z = (w.count - b.median) / b.spread
    if w.count >= t.min_count and ratio >= t.min_ratio and z >= t.min_z:
        return Detection(w.issue, VOLUME_SPIKE, w.window_start_ms, w.window_end_ms, w.count,
                         baseline=b.mean, baseline_median=b.median, spread=b.spread,
                         ratio=ratio, z=z, negative_count=w.negative,
                         negative_share=_share(w.negative, w.count),
                         baseline_negative_share=_baseline_share(w, t))
    return None


def detect_negative(w: WindowCounts, t: SpikeThresholds) -> Detection | None:
    """A negative_surge detection for the window, or None."""
    if w.count <= 0:
        return None
    share = w.negative / w.count
    base_share = _baseline_share(w, t)
    p0 = min(max(base_share, 0.05), 0.95)
    z = (share - p0) / math.sqrt(p0 * (1 - p0) / w.count)
    if (w.negative >= t.neg_min_count and share >= t.neg_min_share
            and share - base_share >= t.neg_min_delta and z >= t.neg_min_z):
        b = baseline_stats(w.baseline_counts)
        return Detection(w.issue, NEGATIVE_SURGE, w.window_start_ms, w.window_end_ms, w.count,
                         baseline=b.mean, baseline_median=b.median, spread=b.spread,
                         ratio=share / max(base_share, 0.05), z=z, negative_count=w.negative,
                         negative_share=share, baseline_negative_share=base_share)
    return None


def evaluate(windows: Iterable[WindowCounts], t: SpikeThresholds) -> list[Detection]:
    """Every volume and negative detection over the windows of all issues."""
    out: list[Detection] = []
    for w in windows:
        for detector in (detect_volume, detect_negative):
            d = detector(w, t)
            if d is not None:
                out.append(d)
    return out


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def _baseline_share(w: WindowCounts, t: SpikeThresholds) -> float:
    total = sum(w.baseline_counts)
    return sum(w.baseline_negative) / total if total else t.neg_prior_share


# ---- dedup, cooldown, resolution -------------------------------------------------------------

@dataclass(frozen=True)
class ActiveAlert:
    """An alert that is active (read back from the alerts index)."""
    alert_id: str
    key: str
    issue: str
    kind: str
    detected_at_ms: int
    last_seen_ms: int
    published: bool = True
    peak_count: int = 0


@dataclass
class AlertState:
    """What the alerts index says: active alerts by key, and when each key last alerted."""
    active: dict[str, ActiveAlert] = field(default_factory=dict)
    last_started_ms: dict[str, int] = field(default_factory=dict)


@dataclass
class Decision:
    """What a cycle does with its detections."""
    new: list[Detection] = field(default_factory=list)
    continuing: list[tuple[ActiveAlert, Detection]] = field(default_factory=list)
    resolved: list[ActiveAlert] = field(default_factory=list)
    suppressed: list[Detection] = field(default_factory=list)


def reconcile(detections: Iterable[Detection], state: AlertState, now_ms: int,
              cooldown_s: float, resolve_after_s: float) -> Decision:
    """Splits detections into new alerts, refreshed active ones, cooldown-suppressed ones, and
    active alerts that resolve (condition absent for ``resolve_after_s``)."""
    decision = Decision()
    seen: set[str] = set()
    for d in detections:
        if d.key in seen:
            continue
        seen.add(d.key)
        active = state.active.get(d.key)
        if active is not None:
            decision.continuing.append((active, d))
        elif now_ms - state.last_started_ms.get(d.key, -10 ** 15) < cooldown_s * 1000:
            decision.suppressed.append(d)
        else:
            decision.new.append(d)
    for key, active in state.active.items():
        if key not in seen and now_ms - active.last_seen_ms >= resolve_after_s * 1000:
            decision.resolved.append(active)
    return decision


def alert_id(key: str, detected_at_ms: int) -> str:
    """Deterministic alert id (a retried write of the same alert overwrites, never duplicates)."""
    return hashlib.sha1(f"{key}|{detected_at_ms}".encode()).hexdigest()[:20]


def summary(d: Detection) -> str:
    """One human-readable line explaining the alert."""
    who = "all posts" if d.issue == ALL_POSTS else f"issue '{d.issue}'"
    minutes = max(1, round((d.window_end_ms - d.window_start_ms) / 60000))
    if d.kind == VOLUME_SPIKE:
        return (f"Volume spike on {who}: {d.count} posts in the last {minutes} min, "
                f"{d.ratio:.1f}x the baseline of {d.baseline:.1f} (z={d.z:.1f})")
    if d.kind == NEGATIVE_SURGE:
        return (f"Negative surge on {who}: {d.negative_share:.0%} negative of {d.count} posts in the "
                f"last {minutes} min vs {d.baseline_negative_share:.0%} usually (z={d.z:.1f})")
    accounts = d.details.get("accounts", 0)
    score = d.details.get("score", 0.0)
    span = max(1, round(float(d.details.get("span_s", 0.0)) / 60))
    return (f"Coordinated posting on {who}: {accounts} accounts posted near-identical texts "
            f"({d.count} posts) within {span} min, score {score:.2f}")


# ---- coordination -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Member:
    """A post inside a near-duplicate band."""
    doc_id: str
    author_id: str
    created_at_ms: int
    index: str | None = None
    handle: str | None = None
    followers: int | None = None
    text: str = ""
    simhash: str | None = None
    issues: tuple[str, ...] = ()
    hashtags: tuple[str, ...] = ()
    cluster: str | None = None


@dataclass(frozen=True)
class Cluster:
    """A coordinated near-duplicate cluster."""
    cluster_id: str
    bands: tuple[str, ...]
    members: tuple[Member, ...]
    accounts: int
    first_ms: int
    last_ms: int
    score: float
    components: Mapping[str, float]
    issue: str

    @property
    def span_s(self) -> float:
        return (self.last_ms - self.first_ms) / 1000.0


class UnionFind:
    """Disjoint sets over hashable items (path halving, union by size)."""

    def __init__(self) -> None:
        self.parent: dict[Any, Any] = {}
        self.size: dict[Any, int] = {}

    def find(self, x: Any) -> Any:
        self.parent.setdefault(x, x)
        self.size.setdefault(x, 1)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: Any, b: Any) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        if self.size[ra] < self.size[rb]:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.size[ra] += self.size[rb]


def hamming_hex(a: str | None, b: str | None) -> int:
    """Bit distance of two hex SimHashes (64 when either is missing or unreadable)."""
    try:
        return bin(int(a or "", 16) ^ int(b or "", 16)).count("1")
    except ValueError:
        return 64


def coordination_score(accounts: int, span_s: float, window_s: float, low_follower_share: float,
                       similarity: float, saturate_accounts: int = 50) -> tuple[float, dict[str, float]]:
    """Score in [0, 1] of how strongly a cluster looks like coordinated amplification.

    * size (weight 0.35): log(accounts) / log(saturate_accounts), capped at 1 -- many distinct
      accounts posting the same text is the core signal;
    * compactness (0.20): 1 - span / window -- a campaign fires within minutes;
    * low_followers (0.20): share of accounts under ``low_followers`` followers -- buzzer
      accounts are typically fresh, small accounts;
    * similarity (0.25): mean 1 - hamming(simhash, most common simhash) / 64 -- copy-paste
      rather than merely the same topic.
    """
    size = min(1.0, math.log(max(accounts, 1)) / math.log(max(saturate_accounts, 2)))
    compact = min(1.0, max(0.0, 1.0 - span_s / max(window_s, 1.0)))
    components = {"size": size, "compactness": compact, "low_followers": low_follower_share,
                  "similarity": similarity}
    score = 0.35 * size + 0.20 * compact + 0.20 * low_follower_share + 0.25 * similarity
    return round(min(1.0, max(0.0, score)), 4), {k: round(v, 4) for k, v in components.items()}


def cluster_id_for(bands: Iterable[str]) -> str:
    """A new cluster id from its bands (the monitor reuses the id of an overlapping cluster)."""
    return "c-" + hashlib.sha1(min(bands).encode()).hexdigest()[:16]


def _as_int(simhash: str | None) -> int | None:
    try:
        return int(simhash or "", 16)
    except ValueError:
        return None


def near_members(posts: Sequence[Member], max_bits: int) -> list[Member]:
    """The posts of a band within ``max_bits`` of its medoid: the SimHash with the most
    neighbours within ``max_bits`` (ties: the more frequent, then the smaller). Posts without a
    readable SimHash are kept only when no post has one."""
    values = {p.simhash: _as_int(p.simhash) for p in posts}
    counts = Counter(p.simhash for p in posts if values.get(p.simhash) is not None)
    if not counts:
        return list(posts)
    unique = list(counts)

    def neighbours(h: str) -> int:
        return sum(n for o, n in counts.items() if (values[h] ^ values[o]).bit_count() <= max_bits)
    centre = min(unique, key=lambda h: (-neighbours(h), -counts[h], h))
    return [p for p in posts if values.get(p.simhash) is not None
            and (values[p.simhash] ^ values[centre]).bit_count() <= max_bits]


def find_clusters(band_members: Mapping[str, Sequence[Member]], t: CoordinationThresholds,
                  existing_ids: Mapping[str, str] | None = None) -> list[Cluster]:
    """Coordinated clusters from candidate bands (band -> its posts in the window).

    In each band only the posts near its medoid count (:func:`near_members`); bands with fewer
    than ``min_accounts`` distinct authors among them are ignored; the rest are merged when they
    share a document. ``existing_ids`` (band -> cluster id of a cluster seen before)
    keeps a growing cluster's id stable across cycles.
    """
    uf = UnionFind()
    members: dict[str, Member] = {}
    doc_bands: dict[str, set[str]] = {}
    for band, posts in band_members.items():
        posts = near_members(posts, t.max_hamming)
        if len({p.author_id for p in posts}) < t.min_accounts:
            continue
        first = None
        for p in posts:
            members.setdefault(p.doc_id, p)
            doc_bands.setdefault(p.doc_id, set()).add(band)
            uf.find(p.doc_id)
            if first is None:
                first = p.doc_id
            else:
                uf.union(first, p.doc_id)
    groups: dict[Any, list[str]] = {}
    for doc in members:
        groups.setdefault(uf.find(doc), []).append(doc)
    clusters = []
    for docs in groups.values():
        posts = sorted((members[d] for d in docs), key=lambda m: (m.created_at_ms, m.doc_id))
        accounts = {p.author_id: p for p in posts}
        if len(accounts) < t.min_accounts:
            continue
        bands = sorted(set().union(*(doc_bands[d] for d in docs)))
        low = sum(1 for p in accounts.values()
                  if p.followers is not None and p.followers < t.low_followers) / len(accounts)
        common = Counter(p.simhash for p in posts if p.simhash).most_common(1)
        centre = common[0][0] if common else None
        similarity = statistics.fmean(1 - hamming_hex(p.simhash, centre) / 64 for p in posts)
        first_ms, last_ms = posts[0].created_at_ms, posts[-1].created_at_ms
        score, components = coordination_score(len(accounts), (last_ms - first_ms) / 1000,
                                               t.window_s, low, similarity, t.saturate_accounts)
        issues = Counter(i for p in posts for i in p.issues).most_common(1)
        cid = next((existing_ids[b] for b in bands if existing_ids and b in existing_ids),
                   None) or cluster_id_for(bands)
        clusters.append(Cluster(cid, tuple(bands), tuple(posts), len(accounts), first_ms, last_ms,
                                score, components, issues[0][0] if issues else ALL_POSTS))
    clusters.sort(key=lambda c: (-c.score, c.cluster_id))
    return clusters


def cluster_detection(c: Cluster, now_ms: int, window_s: int) -> Detection:
    """The coordination detection of a cluster (for :func:`reconcile` and the alert)."""
    return Detection(c.issue, COORDINATION, now_ms - window_s * 1000, now_ms, len(c.members),
                     cluster_id=c.cluster_id,
                     details={"accounts": c.accounts, "score": c.score, "span_s": c.span_s,
                              "components": dict(c.components), "bands": list(c.bands)})
