"""``pantau config``: validates a config file, warns of misspelt PANTAU_* variables, prints the
effective settings with their origin and masks secrets; ``--kafka_option`` parsing."""
from __future__ import annotations

import pytest

from pipelines import cli
from transforms.io.clients import kafka_option

GOOD = """\
kafka_bootstrap: broker1:9092,broker2:9092
kafka_option: [request_timeout_ms=60000, sasl_kerberos_service_name=kafka]
run:
  bulk_max_docs: 1000
monitor:
  interval_s: 30
"""


def config(tmp_path, text: str) -> str:
    path = tmp_path / "pantau.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_valid_file_prints_effective_settings_with_origins(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PANTAU_ES_ALIAS", "from-env")
    monkeypatch.setenv("PANTAU_ES_API_KEY", "s3cr3t-api-key")
    assert cli.main(["config", "--config", config(tmp_path, GOOD)]) == 0
    out = capsys.readouterr().out
    assert "kafka_bootstrap = broker1:9092,broker2:9092    # config file" in out
    assert "bulk_max_docs = 1000    # config file" in out
    assert "es_alias = from-env    # env PANTAU_ES_ALIAS" in out
    assert "es_index_prefix = pantau-posts    # default" in out
    assert "request_timeout_ms=60000" in out
    assert "PANTAU_ES_API_KEY = ****" in out and "s3cr3t" not in out


def test_monitor_section_is_the_monitors(tmp_path, capsys):
    assert cli.main(["config", "--config", config(tmp_path, GOOD), "--command", "monitor"]) == 0
    out = capsys.readouterr().out
    assert "interval_s = 30.0    # config file" in out and "bulk_max_docs" not in out


def test_invalid_file_exits_1_naming_every_problem(tmp_path, capsys):
    bad = "es_ulr: http://x:9200\nbulk_max_docs: many\nrun:\n  enrichment: partial\n  stop_when_idel_s: 3\n"
    assert cli.main(["config", "--config", config(tmp_path, bad)]) == 1
    err = capsys.readouterr().err
    assert "unknown setting 'es_ulr' (did you mean 'es_url'?)" in err
    assert "bulk_max_docs: invalid value 'many'" in err
    assert "run.enrichment: invalid choice 'partial'" in err
    assert "unknown setting 'stop_when_idel_s' (did you mean 'stop_when_idle_s'?)" in err
    assert "invalid (4 problems)" in err


def test_not_yaml_and_not_a_mapping(tmp_path, capsys):
    assert cli.main(["config", "--config", config(tmp_path, "a: [1\n")]) == 1
    assert "not valid YAML" in capsys.readouterr().err
    assert cli.main(["config", "--config", config(tmp_path, "- a\n- b\n")]) == 1
    assert "expected a mapping" in capsys.readouterr().err


def test_misspelt_environment_variable_is_named(capsys, monkeypatch):
    monkeypatch.setenv("PANTAU_ES_ULR", "http://x:9200")
    assert cli.main(["config"]) == 0
    assert "PANTAU_ES_ULR is not a pantau setting (did you mean PANTAU_ES_URL?)" in capsys.readouterr().err


def test_kafka_option_types_and_refusals():
    assert kafka_option("request_timeout_ms=60000") == ("request_timeout_ms", 60000)
    assert kafka_option("check_crcs=false") == ("check_crcs", False)
    assert kafka_option("client.id=pantau-x") == ("client_id", "pantau-x")
    with pytest.raises(ValueError, match="did you mean 'request_timeout_ms'"):
        kafka_option("request_timout_ms=1")
    with pytest.raises(ValueError, match="secret"):
        kafka_option("sasl_plain_password=hunter2")
    with pytest.raises(ValueError, match="own option"):
        kafka_option("bootstrap_servers=x:1")
    with pytest.raises(ValueError, match="key=value"):
        kafka_option("request_timeout_ms")
