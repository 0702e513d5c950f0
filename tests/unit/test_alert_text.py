"""Alert texts for people (``transforms.analyst.alert_text``) and the Alertmanager payload."""
from __future__ import annotations

import urllib.parse

import pytest

from transforms.analyst import alert_text
from transforms.analyst.monitor import MonitorConfig, alertmanager_alert
from transforms.io.alertmanager import alert_payload, iso, labels
from transforms.io.es_sink import EsConfig

T0 = 1795514400000  # 2026-11-24T10:00:00Z = 17:00 WIB


def spike(**over) -> dict:
    doc = {"alert_id": "a1", "key": "Banjir|volume_spike", "issue": "Banjir", "kind": "volume_spike",
           "status": "active", "detected_at": T0, "window_start": T0 - 300_000, "window_end": T0,
           "window_s": 300, "count": 10, "peak_count": 10, "baseline": 1.66, "ratio": 6.02, "z": 4.4,
           "negative_count": 4, "negative_share": 0.4, "baseline_negative_share": 0.1,
           "top_posts": [{"author": "@bpbd_dki", "text": "Banjir  setinggi\nlutut di Kemang", "url": "https://x.com/1"},
                         {"author": "@warga", "text": "x" * 300}],
           "top_authors": [{"handle": "@bpbd_dki", "posts": 3, "influence": 40.0}],
           "top_hashtags": [{"tag": "banjirjakarta", "count": 5}]}
    doc.update(over)
    return doc


def test_headline_in_plain_indonesian():
    assert alert_text.headline(spike()) == "Lonjakan unggahan tentang isu Banjir: 10 dalam 5 menit, 6× biasanya"
    assert alert_text.headline(spike(ratio=2.54)).endswith("2,5× biasanya")
    assert alert_text.headline(spike(issue="_all")).startswith("Lonjakan unggahan tentang semua topik:")


def test_headline_in_english_on_request():
    assert alert_text.headline(spike(), "en") == "Surge of posts about the issue Banjir: 10 in 5 minutes, 6× the usual"
    with pytest.raises(ValueError, match="alert language"):
        alert_text.headline(spike(), "fr")


def test_negative_surge_and_coordination_headlines():
    neg = alert_text.headline(spike(kind="negative_surge", negative_share=0.62, baseline_negative_share=0.18))
    assert neg == ("Sentimen negatif melonjak pada isu Banjir: 62% dari 10 unggahan dalam 5 menit "
                   "bernada negatif (biasanya 18%)")
    coord = alert_text.headline(spike(kind="coordination", count=40, peak_count=40,
                                      cluster={"accounts": 35, "span_s": 420.0}))
    assert coord == ("Dugaan unggahan terkoordinasi pada isu Banjir: 35 akun mengunggah teks hampir sama "
                     "(40 unggahan) dalam 7 menit")


def test_message_has_examples_accounts_negative_share_and_link():
    text = alert_text.message(spike(), kibana_url="https://kibana.example/")
    lines = text.splitlines()
    assert lines[0] == alert_text.headline(spike())
    assert lines[1] == "Waktu: 24-11-2026 16:55 WIB–24-11-2026 17:00 WIB"
    assert "Unggahan negatif: 40% (4 dari 10)" in lines
    assert '- @bpbd_dki: "Banjir setinggi lutut di Kemang" https://x.com/1' in lines
    long = next(line for line in lines if line.startswith("- @warga"))
    assert long.endswith('…"') and len(long) < 200
    assert "Akun paling berpengaruh: @bpbd_dki (3 unggahan)" in lines
    assert "Tagar: #banjirjakarta" in lines
    assert lines[-1].startswith("Dasbor Kibana: https://kibana.example/app/dashboards#/view/")
    assert "z=" not in text and "4.4" not in text  # statistics stay in the fields


def test_kibana_link_filters_issue_and_window():
    link = alert_text.kibana_link(spike(issue="Kampanye #Gizi 'Maju'"), "https://kibana.example")
    path, fragment = link.split("#", 1)
    assert path == "https://kibana.example/app/dashboards"
    query = urllib.parse.parse_qs(fragment.split("?", 1)[1])
    assert query["_g"] == ["(time:(from:'2026-11-24T09:45:00.000Z',to:'2026-11-24T10:10:00.000Z'))"]
    assert query["_a"] == ["(query:(language:kuery,query:'issues:\"Kampanye #Gizi !'Maju!'\"'))"]
    assert alert_text.kibana_link(spike(), None) is None
    assert "pantau-dashboard-alerts" in alert_text.kibana_link(spike(kind="coordination"), "http://k")
    assert "query:''" in alert_text.kibana_link(spike(issue="_all"), "http://k")


def test_severity_by_kind():
    assert [alert_text.severity(spike(kind=k)) for k in ("volume_spike", "negative_surge", "coordination")] \
        == ["warning", "critical", "warning"]


def test_alertmanager_payload_has_stable_labels_and_ends():
    config = MonitorConfig(es=EsConfig(url="http://127.0.0.1:9200"), kibana_url="http://k")
    firing = alertmanager_alert(spike(), T0 + 5000, 60_000, config)
    assert firing["labels"] == {"alertname": "PantauIssueAlert", "issue": "Banjir", "kind": "volume_spike",
                                "severity": "warning", "alert_key": "Banjir|volume_spike",
                                "source": "pantau-monitor"}
    assert firing["startsAt"] == "2026-11-24T10:00:00.000+00:00"
    assert firing["endsAt"] == iso(T0 + 65_000)
    assert firing["annotations"]["summary"].startswith("Lonjakan unggahan")
    assert "ratio=6.02" in firing["annotations"]["statistics"]
    # a later cycle with a grown count: the same labels (Alertmanager sees one alert)
    later = alertmanager_alert(spike(count=30, peak_count=30), T0 + 20_000, 60_000, config)
    assert later["labels"] == firing["labels"]
    resolved = alertmanager_alert(spike(status="resolved", resolved_at=T0 + 600_000), T0 + 700_000, 60_000, config)
    assert resolved["endsAt"] == iso(T0 + 600_000)
    # resolved "in the future" (a replay at a later now) ends now
    early = alertmanager_alert(spike(status="resolved", resolved_at=T0 + 600_000), T0 + 1000, 60_000, config)
    assert early["endsAt"] == iso(T0 + 1000)
    stored = alertmanager_alert(spike(headline="tetap", message="pesan tetap"), T0, 1, config)
    assert stored["annotations"]["summary"] == "tetap" and stored["annotations"]["description"] == "pesan tetap"


def test_alert_payload_drops_empty_annotations():
    out = alert_payload(labels("i", "k", "warning", "i|k"), {"summary": "s", "dashboard": ""}, T0, T0 + 1)
    assert out["annotations"] == {"summary": "s"} and "generatorURL" not in out
