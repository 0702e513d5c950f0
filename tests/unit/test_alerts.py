"""Pure detection logic of transforms/logic/alerts.py on synthetic histograms."""
import random

import pytest

from transforms.logic.alerts import (
    ALL_POSTS,
    COORDINATION,
    NEGATIVE_SURGE,
    VOLUME_SPIKE,
    ActiveAlert,
    AlertState,
    CoordinationThresholds,
    Member,
    SpikeThresholds,
    WindowCounts,
    baseline_stats,
    cluster_detection,
    coordination_score,
    detect_negative,
    detect_volume,
    evaluate,
    find_clusters,
    hamming_hex,
    near_members,
    reconcile,
    summary,
)

T = SpikeThresholds()
NOW = 1_800_000_000_000


def window(count, negative=0, baseline=(30,) * 12, baseline_negative=None, issue="banjir"):
    baseline_negative = baseline_negative if baseline_negative is not None else tuple(
        round(b * 0.2) for b in baseline)
    return WindowCounts(issue, NOW - 300_000, NOW, count, negative, tuple(baseline),
                        tuple(baseline_negative))


def steady_series(rng, mean, n):
    """Poisson-ish counts around mean."""
    return [max(0, round(rng.gauss(mean, mean ** 0.5))) for _ in range(n)]


def test_steady_traffic_raises_nothing():
    rng = random.Random(7)
    for mean in (3, 10, 30, 120, 1000):
        series = steady_series(rng, mean, 13 * 40)
        for i in range(12, len(series)):
            w = window(series[i], round(series[i] * 0.2), series[i - 12:i])
            assert evaluate([w], T) == [], (mean, i, w)


def test_spike_raises_volume_spike_with_its_numbers():
    d = detect_volume(window(150, 30), T)
    assert d is not None and d.kind == VOLUME_SPIKE and d.issue == "banjir"
    assert d.count == 150 and d.baseline == 30 and d.ratio == pytest.approx(5.0)
    assert d.z == pytest.approx((150 - 30) / 30 ** 0.5)
    assert (d.window_start_ms, d.window_end_ms) == (NOW - 300_000, NOW)
    assert "150 posts" in summary(d) and "5.0x" in summary(d)
    assert detect_negative(window(150, 30), T) is None  # 20% negative, as usual


def test_volume_thresholds_each_matter():
    assert detect_volume(window(19, baseline=(0,) * 12), T) is None  # below min_count
    assert detect_volume(window(20, baseline=(0,) * 12), T) is not None  # a new issue appears
    assert detect_volume(window(89, baseline=(30,) * 12), T) is None  # ratio 2.97 < 3
    assert detect_volume(window(90, baseline=(30,) * 12), T) is not None
    # a wild baseline: ratio is met, z is not
    wild = (5, 60, 5, 60, 5, 60, 5, 60, 5, 60, 5, 60)
    assert detect_volume(window(100, baseline=wild), T) is None
    assert detect_volume(window(100, baseline=wild), SpikeThresholds(min_z=1.0)) is not None
    assert detect_volume(window(60, baseline=(10,) * 12), SpikeThresholds(min_ratio=10)) is None


def test_an_earlier_spike_in_the_baseline_does_not_hide_a_new_one():
    baseline = (30,) * 11 + (400,)
    b = baseline_stats(baseline)
    assert b.median == 30 and b.mad == 0 and b.spread == pytest.approx(b.mean ** 0.5)
    assert detect_volume(window(200, baseline=baseline), T) is not None


def test_negative_surge():
    d = detect_negative(window(55, 31), T)
    assert d is not None and d.kind == NEGATIVE_SURGE
    assert d.negative_count == 31 and d.negative_share == pytest.approx(31 / 55)
    assert d.baseline_negative_share == pytest.approx(0.2, abs=0.01)
    assert detect_volume(window(55, 31), T) is None  # 1.8x: not a volume spike
    assert "56% negative" in summary(d)
    # each threshold alone blocks it
    assert detect_negative(window(15, 9), T) is None  # 9 < neg_min_count
    assert detect_negative(window(100, 35), T) is None  # share 0.35 < 0.4
    high = tuple(round(30 * 0.45) for _ in range(12))
    assert detect_negative(window(55, 31, baseline_negative=high), T) is None  # delta 0.11
    assert detect_negative(window(55, 31), SpikeThresholds(neg_min_z=10)) is None


def test_negative_surge_without_a_baseline_uses_the_prior():
    w = window(20, 15, baseline=(0,) * 12, baseline_negative=(0,) * 12)
    d = detect_negative(w, T)
    assert d is not None and d.baseline_negative_share == T.neg_prior_share
    assert detect_negative(window(20, 6, baseline=(0,) * 12, baseline_negative=(0,) * 12), T) is None


def test_evaluate_covers_issues_and_all_posts():
    windows = [window(150, 30, issue="bbm"), window(55, 31, issue="banjir"),
               window(30, 6, issue="other"), window(235, 67, baseline=(90,) * 12, issue=ALL_POSTS)]
    got = {(d.issue, d.kind) for d in evaluate(windows, T)}
    assert got == {("bbm", VOLUME_SPIKE), ("banjir", NEGATIVE_SURGE)}
    windows[-1] = window(300, 67, baseline=(90,) * 12, issue=ALL_POSTS)
    assert (ALL_POSTS, VOLUME_SPIKE) in {(d.issue, d.kind) for d in evaluate(windows, T)}


def active(key, started, last_seen):
    issue, kind = key.split("|")
    return ActiveAlert(f"id-{key}", key, issue, kind, started, last_seen)


def test_reconcile_dedups_cooldowns_and_resolves():
    spike = detect_volume(window(150), T)
    neg = detect_negative(window(55, 31), T)
    # first time: new
    d = reconcile([spike, spike], AlertState(), NOW, T.cooldown_s, T.resolve_after_s)
    assert d.new == [spike] and not d.continuing and not d.resolved
    # while the condition persists: no new alert, the active one continues
    state = AlertState({spike.key: active(spike.key, NOW - 60_000, NOW - 15_000)},
                       {spike.key: NOW - 60_000})
    d = reconcile([spike, neg], state, NOW, T.cooldown_s, T.resolve_after_s)
    assert [a.key for a, _ in d.continuing] == [spike.key] and d.new == [neg]
    # condition gone, but not for resolve_after_s yet: kept
    d = reconcile([], state, NOW + 200_000, T.cooldown_s, T.resolve_after_s)
    assert not d.resolved
    d = reconcile([], state, NOW - 15_000 + T.resolve_after_s * 1000, T.cooldown_s, T.resolve_after_s)
    assert [a.key for a in d.resolved] == [spike.key]
    # after resolution, a return within the cooldown is suppressed, after it alerts again
    resolved_state = AlertState({}, {spike.key: NOW - 60_000})
    d = reconcile([spike], resolved_state, NOW + 600_000, T.cooldown_s, T.resolve_after_s)
    assert d.suppressed == [spike] and not d.new
    d = reconcile([spike], resolved_state, NOW - 60_000 + T.cooldown_s * 1000, T.cooldown_s,
                  T.resolve_after_s)
    assert d.new == [spike]


def members(prefix, n_accounts, per_account, band_hash, followers=20, t0=NOW - 480_000, step=6_000):
    out = []
    for a in range(n_accounts):
        for k in range(per_account):
            i = a * per_account + k
            out.append(Member(f"x:{prefix}{i}", f"{prefix}acc{a}", t0 + i * step, "idx",
                              f"{prefix}h{a}", followers, f"text {prefix}", band_hash, ("pemilu",)))
    return out


def test_find_clusters_merges_bands_and_ignores_single_account_spam():
    t = CoordinationThresholds()
    campaign = members("c", 40, 1, "ffff0000ffff0000")
    campaign_b = campaign[:20]   # band 2 holds half the posts
    campaign_c = campaign[15:]   # band 3 overlaps band 2: all three merge
    spam = members("s", 1, 12, "1234123412341234")  # one account, many copies
    small = members("m", 4, 1, "abababababababab")  # 4 accounts < min_accounts
    organic = members("o", 3, 1, "0000ffff0000ffff")
    clusters = find_clusters({"0:aa": campaign_b, "1:bb": campaign_c, "2:cc": spam, "3:dd": small,
                              "4:ee": organic}, t)
    assert len(clusters) == 1
    c = clusters[0]
    assert c.accounts == 40 and len(c.members) == 40 and c.bands == ("0:aa", "1:bb")
    assert c.issue == "pemilu" and c.span_s == 39 * 6
    assert c.components["similarity"] == 1.0 and c.components["low_followers"] == 1.0
    assert 0.8 < c.score <= 1.0
    assert find_clusters({"0:aa": campaign_b}, t, {"0:aa": "c-old"})[0].cluster_id == "c-old"
    d = cluster_detection(c, NOW, t.window_s)
    assert d.kind == COORDINATION and d.key == f"coordination|{c.cluster_id}" and d.count == 40


def test_chance_band_collisions_are_not_coordination():
    t = CoordinationThresholds()
    base = 0x0123456789ABCDEF
    campaign = [Member(f"x:c{i}", f"c{i}", NOW + i * 1000, "idx", simhash=f"{base ^ (1 << i):016x}")
                for i in range(10)]
    # organic posts that share the band key by chance: their fingerprints are far away
    rng = random.Random(3)
    organic = [Member(f"x:o{i}", f"o{i}", NOW + i * 1000, "idx", simhash=f"{rng.getrandbits(64):016x}")
               for i in range(6)]
    clusters = find_clusters({"0:123": campaign + organic}, t)
    assert len(clusters) == 1 and {m.doc_id for m in clusters[0].members} == {m.doc_id for m in campaign}
    assert [m.doc_id for m in near_members(campaign + organic, t.max_hamming)] == [m.doc_id for m in campaign]
    # six accounts whose posts merely share a band, all far apart: nothing
    scattered = [Member(f"x:r{i}", f"r{i}", NOW, "idx", simhash=f"{rng.getrandbits(64):016x}")
                 for i in range(6)]
    assert find_clusters({"1:abc": scattered}, t) == []


def test_coordination_score_components():
    full, _ = coordination_score(50, 0, 600, 1.0, 1.0)
    assert full == 1.0
    weak, parts = coordination_score(5, 600, 600, 0.0, 0.5)
    assert parts["compactness"] == 0 and weak < 0.4
    assert coordination_score(40, 60, 600, 1.0, 1.0)[0] > coordination_score(6, 60, 600, 1.0, 1.0)[0]
    assert hamming_hex("ff", "0f") == 4 and hamming_hex(None, "ff") == 64
