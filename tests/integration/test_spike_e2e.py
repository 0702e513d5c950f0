"""End to end: Kafka -> the real streaming pipeline (``pantau run``, own process) -> Elasticsearch
-> the monitor thread -> an alert, with short windows (60 s, baseline 10 windows, cycle 5 s).

Steady traffic (15 minutes of history, then live posts with created_at = now) raises nothing;
a burst injected into Kafka raises a volume_spike for all posts within 2 minutes, one for the
watchlist issue the posts match (when the tagging stage fills ``issues``), and, since the burst
is one text from 150 accounts, a coordination alert from the near-duplicate bands. The monitor
delivers through a real Alertmanager: the Indonesian e-mail reaches a local SMTP server and the
webhook its receiver within 2 minutes of the injection.
"""
from __future__ import annotations

import os
import random
import signal
import threading
import time

import pytest
from aiosmtpd.controller import Controller
from prometheus_client import CollectorRegistry

from devtools.alertmanager import AlertmanagerProcess, Mailbox, Receiver, local_config
from devtools.localstack import free_port
from tests.integration.helpers import (
    consume_all,
    es_client,
    es_count,
    pipeline_args,
    produce,
    run_pipeline_process,
    setup_topics,
    unique,
    wait_for,
)
from transforms.analyst.monitor import CycleReport, MonitorConfig, start_monitor_thread
from transforms.io.es_sink import EsConfig
from transforms.io.publish import encode_post, message_key
from transforms.logic.alerts import ALL_POSTS, VOLUME_SPIKE, SpikeThresholds

pytestmark = pytest.mark.integration
RATE_S = 3.0          # steady traffic: one post every 3 s, 20 per 60 s window
HISTORY_S = 15 * 60   # backfilled history, longer than the 11 windows the monitor looks at
SPIKE = 150
# everyday words, none of them a watchlist term: organic posts, each written differently (the
# same few texts from many accounts would rightly be flagged as coordination)
WORDS = ("pagi siang sore malam hari ini kemarin besok rumah kantor sekolah pasar warung kopi teh "
         "nasi goreng sate bakso mie ayam ikan sayur buah jeruk mangga pisang jalan motor mobil sepeda "
         "kereta bus teman keluarga ibu bapak adik kakak anak tetangga guru dokter kucing anjing burung "
         "taman pantai gunung sungai kota desa kampung hujan panas cerah mendung angin lagu film buku "
         "berita foto video belanja masak tidur kerja belajar main olahraga lari renang jalan-jalan "
         "senang sedih capek lapar kenyang bosan seru lucu enak mahal murah ramai sepi baru lama "
         "akhirnya ternyata semoga katanya mungkin pokoknya memang sudah belum masih lagi juga saja").split()


def organic_text(rng: random.Random) -> str:
    return " ".join(rng.sample(WORDS, rng.randint(7, 12)))


def raw_post(n: str, created_ms: int, text: str, author: str) -> tuple[bytes, bytes]:
    post = {"platform": "x", "post_id": n, "author": {"id": author, "handle": f"@{author}",
                                                       "followers": 120, "verified": False},
            "text": text, "created_at": created_ms, "collected_at": created_ms + 500,
            "engagement": {"likes": 1, "replies": 0, "reposts": 0, "quotes": 0, "views": None}}
    return message_key(post), encode_post(post, "json")


def alerts(es_url: str, index: str) -> list[dict]:
    client = es_client(es_url)
    try:
        if not client.indices.exists(index=index):
            return []
        client.indices.refresh(index=index)
        return [h["_source"] for h in client.search(index=index, size=100,
                                                    query={"match_all": {}})["hits"]["hits"]]
    finally:
        client.close()


def test_spike_injected_into_kafka_raises_an_alert_within_two_minutes(
        alert_bootstrap, es_url, tmp_path):
    mailbox, http = Mailbox(), Receiver()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    am = AlertmanagerProcess(tmp_path / "alertmanager", local_config(
        smtp=f"127.0.0.1:{smtp.port}", webhook_url=f"{http.url}/webhook"), free_port())
    try:
        run_spike(alert_bootstrap, es_url, tmp_path, am.url, mailbox, http)
    finally:
        am.stop()
        smtp.stop()
        http.shutdown()


def run_spike(alert_bootstrap, es_url, tmp_path, alertmanager_url: str, mailbox: Mailbox,
              http: Receiver) -> None:
    bootstrap = alert_bootstrap
    topic, prefix = unique("spike"), unique("e2e")
    setup_topics(bootstrap, topic, partitions=1)
    now = int(time.time() * 1000)
    rng = random.Random(11)
    history = [raw_post(f"h{i}", now - HISTORY_S * 1000 + int(i * RATE_S * 1000),
                        organic_text(rng), f"warga{i % 97}")
               for i in range(int(HISTORY_S / RATE_S))]
    produce(bootstrap, topic, history)

    stop = threading.Event()

    def live_traffic() -> None:
        i = 0
        while not stop.wait(RATE_S):
            produce(bootstrap, topic, [raw_post(f"l{i}", int(time.time() * 1000),
                                                organic_text(rng), f"warga{i % 97}")])
            i += 1

    producer = threading.Thread(target=live_traffic, daemon=True)
    producer.start()
    pipeline = run_pipeline_process(
        pipeline_args(bootstrap, es_url, topic, prefix, "--metrics_port=0"), tmp_path / "pipeline.log")
    reports: list[CycleReport] = []
    monitor = None
    try:
        wait_for(lambda: es_count(es_url, prefix) >= len(history), 120, 1.0, "the history indexed")
        config = MonitorConfig(
            es=EsConfig(url=es_url, index_prefix=prefix, alias=prefix),
            alerts_index=unique("alerts"), coordination_index=unique("coord"),
            kafka_bootstrap=bootstrap, alerts_topic=unique("alerts-topic"), interval_s=5.0,
            alertmanager_url=alertmanager_url,
            spike=SpikeThresholds(window_s=60, baseline_windows=10, min_count=20, min_ratio=3.0,
                                  min_z=3.0, resolve_after_s=60, cooldown_s=600))
        monitor = start_monitor_thread(config, CollectorRegistry(), on_cycle=reports.append)

        # steady traffic alone: several cycles, no alert
        wait_for(lambda: len(reports) >= 5, 60, 0.5, "five monitor cycles")
        assert alerts(es_url, config.alerts_index) == []
        assert all(r.raised == [] and r.windows >= 1 for r in reports)
        assert mailbox.messages == [] and http.requests == []

        # the burst: 150 posts about fuel prices within 20 s, created now
        injected = time.time()
        burst = [raw_post(f"s{k}", int(injected * 1000) - (SPIKE - k) * 130,
                          f"Harga BBM naik lagi, antre di SPBU berjam-jam #TolakKenaikanBBM ({k})",
                          f"akun{k}") for k in range(SPIKE)]
        produce(bootstrap, topic, burst)

        def spike_alert():
            return [a for a in alerts(es_url, config.alerts_index)
                    if a["issue"] == ALL_POSTS and a["kind"] == VOLUME_SPIKE]
        found = wait_for(spike_alert, 120, 1.0, "a volume_spike alert")
        latency = time.time() - injected
        assert latency < 120
        alert = found[0]
        assert alert["count"] >= SPIKE and alert["ratio"] >= 3.0 and alert["baseline"] < 40
        assert alert["window_end"] - alert["window_start"] == 60_000
        assert alert["window_end"] >= injected * 1000 - 1000
        assert any(p["text"].startswith("Harga BBM naik lagi") for p in alert["top_posts"])
        assert alert["top_hashtags"][0]["tag"] == "tolakkenaikanbbm"
        keys = [m.key.decode() for m in consume_all(bootstrap, config.alerts_topic)]
        assert ALL_POSTS in keys

        # people get it: an Indonesian e-mail and a webhook call through Alertmanager
        def spike_mails():
            return [t for t, m in mailbox.messages
                    if m["Subject"].startswith("[pantau] Lonjakan unggahan tentang")]
        wait_for(lambda: spike_mails() and http.on("/webhook"), 120 - (time.time() - injected), 0.5,
                 "the volume-spike e-mail and a webhook call")
        mail_latency = min(spike_mails()) - injected
        assert mail_latency < 120
        assert http.on("/webhook")[0][1]["alerts"][0]["labels"]["source"] == "pantau-monitor"

        # once the tagging stage fills `issues`, the matched watchlist issue alerts as well
        client = es_client(es_url)
        try:
            client.indices.refresh(index=prefix)
            tagged = client.search(index=prefix, size=1, query={"term": {"doc_id": "x:s0"}})
            issues = tagged["hits"]["hits"][0]["_source"].get("issues") or []
        finally:
            client.close()
        for issue in issues:
            wait_for(lambda: any(a["issue"] == issue and a["kind"] == VOLUME_SPIKE
                                 for a in alerts(es_url, config.alerts_index)),
                     30, 1.0, f"a volume_spike alert for issue {issue}")
        # the burst is one text from 150 accounts: with near_dup bands from the tagging stage
        # it is also a coordinated cluster
        coordinated = wait_for(lambda: [a for a in alerts(es_url, config.alerts_index)
                                        if a["kind"] == "coordination"], 30, 1.0, "a coordination alert")
        assert len(coordinated) == 1 and coordinated[0]["cluster"]["accounts"] >= 100
        print(f"alert {latency:.1f}s, e-mail {mail_latency:.1f}s after the injection; issues of the "
              f"burst: {issues}")
    finally:
        stop.set()
        if monitor is not None:
            monitor.stop()
        os.killpg(pipeline.pid, signal.SIGTERM)
        try:
            pipeline.wait(20)
        except Exception:
            os.killpg(pipeline.pid, signal.SIGKILL)
            pipeline.wait(10)
        producer.join(10)
