"""The demo's live alert step (``devtools.demo.live_alert``): a spike injected into Kafka goes
through the pipeline, the monitor and a real Alertmanager and ends, in Indonesian, as an e-mail
in a local SMTP server and a webhook call within two minutes."""
from __future__ import annotations

import re

import pytest

from devtools.demo import live_alert
from tests.integration.helpers import setup_topics, unique

pytestmark = pytest.mark.integration


def test_demo_spike_ends_as_indonesian_mail_and_webhook(alert_bootstrap, es_url, tmp_path, capsys):
    topic = unique("demo-live")
    setup_topics(alert_bootstrap, topic, partitions=1)
    setup_topics(alert_bootstrap, f"{topic}.dead", partitions=1)
    live_alert(alert_bootstrap, es_url, topic, f"{topic}.dead", "none", tmp_path)
    out = capsys.readouterr().out
    delivered = re.search(r"delivered (\d+)s after the injection \((\d+) e-mails, (\d+) webhook calls\)", out)
    assert delivered, out
    assert int(delivered.group(1)) < 120 and int(delivered.group(2)) >= 1 and int(delivered.group(3)) >= 1
    assert "Subject: [pantau] Lonjakan unggahan tentang" in out, out
    assert "Contoh unggahan teratas:" in out
    assert "webhook firing: issue=" in out
    print(delivered.group(0))
