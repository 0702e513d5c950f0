"""Alert delivery end to end: an injected spike -> the monitor -> a real Alertmanager (Debian
``prometheus-alertmanager``, configured from ``deploy/alertmanager/``) -> a real SMTP server
(aiosmtpd), a webhook receiver (Alertmanager JSON and Slack-compatible) and a stand-in for the
Telegram Bot API (the real one is unreachable from here; Alertmanager's ``telegram_configs`` is
pointed at it with ``api_url``).

Posts are indexed straight into Elasticsearch (noida-db) with ``created_at`` = now; the monitor
runs cycles every second with one-minute windows, Alertmanager with ``group_wait`` 1 s and
``group_interval`` 2 s. Checked: the mail, the chat message and the webhook call arrive, in
Indonesian; further cycles and a restarted monitor do not notify again; the resolution reaches
the webhook.
"""
from __future__ import annotations

import random
import time
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from elasticsearch import helpers

from devtools.alertmanager import AlertmanagerProcess, Mailbox, Receiver, local_config
from devtools.localstack import free_port
from tests.integration.helpers import unique, wait_for
from tests.integration.test_monitor import post
from transforms.analyst.monitor import Monitor, MonitorConfig
from transforms.io.alertmanager import get_alerts
from transforms.io.es_sink import EsConfig, bulk_action, install_template
from transforms.logic.alerts import CoordinationThresholds, SpikeThresholds

pytestmark = pytest.mark.integration
ISSUE = "Banjir"
CHAT_ID = -1004242
TOKEN = "424242:pantau-test"
KIBANA = "http://kibana.pantau.test:5601"


@pytest.fixture
def receivers(tmp_path):
    mailbox = Mailbox()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    http = Receiver()
    am = AlertmanagerProcess(tmp_path / "alertmanager", local_config(
        smtp=f"127.0.0.1:{smtp.port}", webhook_url=f"{http.url}/webhook", slack_url=f"{http.url}/slack",
        telegram_api_url=f"{http.url}/telegram", telegram_chat_id=CHAT_ID, telegram_token=TOKEN,
        group_wait="1s", group_interval="2s", repeat_interval="1h"), free_port())
    try:
        yield am, mailbox, http
    finally:
        am.stop()
        smtp.stop()
        http.shutdown()


def index(client, es: EsConfig, docs: list[dict[str, Any]]) -> None:
    ok, errors = helpers.bulk(client, [bulk_action(d, es) for d in docs], raise_on_error=False)
    assert not errors, errors[:3]
    client.indices.refresh(index=es.alias)


def history(now: int, rng: random.Random) -> list[dict[str, Any]]:
    """Two posts a minute about the issue over the last 12 minutes, one in five negative."""
    return [post(f"x:h{m}-{k}", now - m * 60_000 - rng.randrange(1, 59_000), issues=[ISSUE],
                 author=f"warga{rng.randrange(30)}", negative=k == 0 and m % 3 == 0,
                 text=f"air mulai naik di gang {m}-{k}")
            for m in range(1, 12) for k in range(2)]


def counts(mailbox: Mailbox, http: Receiver) -> tuple[int, int, int, int]:
    return (len(mailbox.messages), len(http.on("/telegram")), len(http.on("/webhook")),
            len(http.on("/slack")))


def test_spike_reaches_mail_telegram_and_webhook_once(es_url, receivers, tmp_path):
    am, mailbox, http = receivers
    prefix = unique("deliver")
    es = EsConfig(url=es_url, index_prefix=prefix, alias=prefix)
    client = es.client()
    install_template(client, es)
    config = MonitorConfig(
        es=es, alerts_index=unique("alerts"), coordination_index=unique("coord"), interval_s=1.0,
        spike=SpikeThresholds(window_s=60, baseline_windows=10, min_count=8, min_ratio=3.0, min_z=3.0,
                              resolve_after_s=60, cooldown_s=600),
        coordination=CoordinationThresholds(), coordination_enabled=False,
        alertmanager_url=am.url, kibana_url=KIBANA)
    rng = random.Random(5)
    monitor = Monitor(config)
    try:
        index(client, es, history(int(time.time() * 1000), rng))
        monitor.setup()
        for _ in range(3):  # steady traffic: nothing to deliver
            report = monitor.run_cycle()
            assert report.raised == [] and report.delivery_error is None
        time.sleep(1.5)
        assert counts(mailbox, http) == (0, 0, 0, 0)

        # the spike: 12 posts about the flood within the last 30 s, from 12 accounts
        injected = time.time()
        spike = [post(f"x:s{k}", int(injected * 1000) - (12 - k) * 2500, issues=[ISSUE],
                      author=f"saksi{k}", handle=f"@saksi{k}", influence=50.0 - k,
                      text=f"Banjir setinggi dada di Kampung Melayu, warga mengungsi ke masjid ({k})",
                      hashtags=["BanjirJakarta"], negative=k % 2 == 0)
                 for k in range(12)]
        index(client, es, spike)

        raised: list[dict[str, Any]] = []

        def mail_arrived() -> bool:
            raised.extend(monitor.run_cycle().raised)
            return bool(mailbox.messages)
        wait_for(mail_arrived, 60, 1.0, f"the alert e-mail\n{am.log_tail()}")
        latency = mailbox.messages[0][0] - injected
        wait_for(lambda: counts(mailbox, http)[1:] >= (1, 1, 1), 30, 0.5, "telegram and webhooks")
        time.sleep(3)  # other alerts of this spike (the pseudo-issue _all) arrive as well
        assert [r["issue"] for r in raised if r["kind"] == "volume_spike"].count(ISSUE) == 1
        issue_alert = next(r for r in raised if r["issue"] == ISSUE)
        headline = issue_alert["headline"]
        assert headline.startswith(f"Lonjakan unggahan tentang isu {ISSUE}: 12 dalam 1 menit, ")

        # e-mail: Indonesian subject and body with example posts, accounts and the Kibana link
        mails = {m["Subject"]: m for _, m in mailbox.messages}
        subject = f"[pantau] {headline}"
        assert subject in mails, list(mails)
        body = mails[subject].get_body(("plain",)).get_content()
        assert "Contoh unggahan teratas:" in body and "Banjir setinggi dada di Kampung Melayu" in body
        assert "Akun paling berpengaruh: @saksi0" in body
        assert "Unggahan negatif: 50% (6 dari 12)" in body
        assert f"Dasbor Kibana: {KIBANA}/app/dashboards#/view/pantau-dashboard-overview" in body
        assert "issues:%22Banjir%22" in body or 'issues:"Banjir"' in body

        # Telegram: the bot's chat, the same text
        telegram = [b for _, b in http.on(f"/telegram/bot{TOKEN}/sendMessage")]
        assert telegram, [p for _, p, _ in http.requests]
        ours = [b for b in telegram if headline in b["text"]]
        assert len(ours) == 1 and int(ours[0]["chat_id"]) == CHAT_ID
        assert "Contoh unggahan teratas:" in ours[0]["text"]

        # generic webhook (Alertmanager JSON) with the labels routes use, and the Slack-compatible one
        hooks = [b for _, b in http.on("/webhook")]
        firing = [a for b in hooks for a in b["alerts"] if a["labels"]["issue"] == ISSUE]
        assert firing and firing[0]["status"] == "firing"
        assert {k: firing[0]["labels"][k] for k in ("issue", "kind", "severity", "source")} == {
            "issue": ISSUE, "kind": "volume_spike", "severity": "warning", "source": "pantau-monitor"}
        assert firing[0]["annotations"]["summary"] == headline
        assert "z=" in firing[0]["annotations"]["statistics"]  # the statistics stay in the fields
        slack = [b for _, b in http.on("/slack")]
        assert any(headline in (a.get("text") or "") for b in slack for a in b["attachments"])

        # Alertmanager holds it as one alert with the stable labels
        held = [a for a in get_alerts(am.url) if a["labels"]["issue"] == ISSUE]
        assert len(held) == 1 and held[0]["status"]["state"] == "active"

        # more cycles and a restarted monitor post the same alerts again: no new notification
        before = counts(mailbox, http)
        for _ in range(4):
            assert monitor.run_cycle().raised == []
            time.sleep(1)
        monitor.close()
        monitor = Monitor(config)
        monitor.setup()
        for _ in range(4):
            report = monitor.run_cycle()
            assert report.raised == [] and report.delivered >= 1
            time.sleep(1)
        time.sleep(3)
        assert counts(mailbox, http) == before

        # the spike ends (a cycle two minutes later sees no spike): the webhook gets the resolution
        later = int(time.time() * 1000) + 3 * 60_000
        resolved = monitor.run_cycle(now_ms=later).resolved
        assert f"{ISSUE}|volume_spike" in resolved
        wait_for(lambda: any(a["labels"]["issue"] == ISSUE and a["status"] == "resolved"
                             for _, b in http.on("/webhook") for a in b["alerts"]),
                 30, 0.5, "the resolution on the webhook")
        assert len(mailbox.messages) == before[0]  # e-mail: send_resolved false
        print(f"spike -> e-mail in {latency:.1f}s; notifications (mail, telegram, webhook, slack): "
              f"{counts(mailbox, http)}")
        assert latency < 120
    finally:
        monitor.close()
        client.close()


def test_undeliverable_alerts_are_retried_from_the_index(es_url, tmp_path):
    """Alertmanager down: the cycle reports the failure and still raises; once Alertmanager is
    up, the next cycle delivers the alert that is still active (the alerts index is the outbox)."""
    prefix = unique("deliver")
    es = EsConfig(url=es_url, index_prefix=prefix, alias=prefix)
    client = es.client()
    install_template(client, es)
    port = free_port()
    config = MonitorConfig(
        es=es, alerts_index=unique("alerts"), coordination_index=unique("coord"), interval_s=1.0,
        spike=SpikeThresholds(window_s=60, baseline_windows=10, min_count=8, min_ratio=3.0, min_z=3.0),
        coordination_enabled=False, alertmanager_url=f"http://127.0.0.1:{port}")
    monitor = Monitor(config)
    now = int(time.time() * 1000)
    try:
        index(client, es, history(now, random.Random(9)) + [
            post(f"x:s{k}", now - k * 1000, issues=[ISSUE], author=f"s{k}") for k in range(12)])
        monitor.setup()
        report = monitor.run_cycle()
        assert report.raised and report.delivery_error and report.delivered == 0
        am = AlertmanagerProcess(tmp_path / "am", local_config(), port)
        try:
            report = monitor.run_cycle()
            assert report.raised == [] and report.delivered >= 1 and report.delivery_error is None
            held = {a["labels"]["alert_key"] for a in get_alerts(am.url)}
            assert f"{ISSUE}|volume_spike" in held
        finally:
            am.stop()
    finally:
        monitor.close()
        client.close()
