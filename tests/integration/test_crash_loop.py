"""Poison-pill quarantine: a message that kills the process is found and skipped after a bounded
number of restarts, on both brokers; nothing else is lost, duplicated or quarantined."""
import json
import subprocess
import sys
import time

import pytest

from tests.integration.crashing_run import CRASH_MARKER
from tests.integration.helpers import (
    REPO,
    committed_and_end,
    dead_letters,
    es_docs,
    make_post,
    pipeline_args,
    post_messages,
    produce,
    run_bounded,
    setup_topics,
    unique,
)

pytestmark = pytest.mark.integration
RESTARTS = 2  # --crash_loop_restarts


def run_crashing(args: list[str], timeout_s: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tests.integration.crashing_run", *args], cwd=REPO,
                          capture_output=True, text=True, timeout=timeout_s)


def test_a_message_that_kills_the_process_is_quarantined(kafka_bootstrap, es_url, tmp_path):
    topic, prefix = unique("crash"), unique("idx")
    setup_topics(kafka_bootstrap, topic, 3)
    messages = post_messages(range(300))
    poison = json.dumps(make_post(10_000, text=f"pesan maut {CRASH_MARKER} di tengah")).encode()
    messages.insert(137, (b"poison", poison))
    produce(kafka_bootstrap, topic, messages)
    args = pipeline_args(kafka_bootstrap, es_url, topic, prefix, "--stop_when_idle_s=2",
                         f"--recovery_topic={topic}.recovery", f"--crash_loop_restarts={RESTARTS}")

    codes = []
    for _ in range(RESTARTS + 4):  # a supervisor restarting the pipeline (systemd, Kubernetes)
        run = run_crashing(args)
        codes.append(run.returncode)
        if run.returncode == 0:
            break
    # one death in normal reading, one with the chunk holding it in flight, then RESTARTS with
    # it alone in flight; the next start quarantines it and the run ends cleanly
    assert codes[-1] == 0, f"exit codes {codes}:\n{run.stdout[-2000:]}{run.stderr[-3000:]}"
    assert 2 <= len(codes) - 1 <= RESTARTS + 2, codes
    assert "quarantined" in run.stderr

    letters = dead_letters(kafka_bootstrap, topic)
    assert [(l["key"], l["error_kind"], l["stage"]) for l in letters] == [(b"poison", "crash_loop", "source")]
    assert letters[0]["payload"] == poison and f"died {RESTARTS} times" in letters[0]["message"]
    docs = es_docs(es_url, prefix)
    assert len(docs) == 300 and all(d["_version"] == d["collected_at"] for d in docs.values())
    committed, _ = committed_and_end(kafka_bootstrap, f"g-{topic}", topic)
    assert sum(committed.values()) == len(messages)  # every offset passed, the poison's too

    # the next run starts from a clean end: nothing to read, no careful pass, no new letters
    rc, log, _ = run_bounded(args, tmp_path / "after.log")
    assert rc == 0 and "careful" not in log
    assert len(dead_letters(kafka_bootstrap, topic)) == 1


def test_one_unrelated_death_quarantines_nothing(kafka_bootstrap, es_url, tmp_path):
    """A kill -9 in the middle of the stream: the restart reads carefully, loses and duplicates
    nothing, and sends nothing to quarantine (one death is not a crash loop)."""
    import os
    import signal

    from tests.integration.helpers import es_count, run_pipeline_process, wait_for
    topic, prefix = unique("onekill"), unique("idx")
    setup_topics(kafka_bootstrap, topic, 3)
    produce(kafka_bootstrap, topic, post_messages(range(3000)))
    args = pipeline_args(kafka_bootstrap, es_url, topic, prefix, "--stop_when_idle_s=3",
                         f"--recovery_topic={topic}.recovery", "--poll_max_records=200")
    proc = run_pipeline_process(args, tmp_path / "first.log")
    wait_for(lambda: es_count(es_url, prefix) >= 300, 90, what="the first posts indexed")
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(10)
    started = time.monotonic()
    rc, log, _ = run_bounded(args, tmp_path / "second.log")
    assert rc == 0, log[-3000:]
    assert "careful" in log  # the restart knew the last run died
    assert es_count(es_url, prefix) == 3000
    assert dead_letters(kafka_bootstrap, topic) == []
    assert time.monotonic() - started < 120
