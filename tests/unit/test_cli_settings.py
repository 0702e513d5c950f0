"""Every command explains itself: help with groups, defaults and variables; one spelling; strict
options with a suggestion; precedence flag > environment > config file > default."""
from __future__ import annotations

import argparse
import logging
import re

import pytest

from pipelines import cli
from pipelines.options import pipeline_options, run_parser
from transforms.core.settings import SettingsParser

COMMANDS = sorted(cli.COMMANDS)


def capture_parser(command: str, monkeypatch) -> SettingsParser:
    """The parser a command builds, caught when it parses (the command does not run)."""
    caught: list[SettingsParser] = []

    class Caught(Exception):
        pass

    def grab(self, args=None, namespace=None):
        caught.append(self)
        raise Caught

    if command == "run":
        return run_parser()
    monkeypatch.setattr(SettingsParser, "parse_args", grab)
    with pytest.raises(Caught):
        cli.resolve(command)([])
    return caught[0]


def help_of(command: str, capsys) -> str:
    with pytest.raises(SystemExit) as stop:
        cli.main([command, "--help"])
    assert stop.value.code == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("command", COMMANDS)
def test_help_lists_every_option_with_default_and_variable(command, capsys, monkeypatch):
    parser = capture_parser(command, monkeypatch)
    monkeypatch.undo()
    text = help_of(command, capsys)
    options = [a for a in parser._actions if a.option_strings and a.dest != "help"]
    assert any(a.dest == "log_level" for a in options) and any(a.dest == "config" for a in options)
    for action in options:
        name = action.option_strings[0]
        found = re.search(rf"\n  {re.escape(name)}\b(.*?)(?=\n  -|\n\n|\Z)", text, re.S)
        assert found, f"pantau {command} --help does not list {name}"
        flat = " ".join(found.group(1).split())
        if action.dest != "config":
            assert "default:" in flat, f"{command} {name}: no default in help: {flat}"
            assert f"env PANTAU_{action.dest.upper()}" in flat or "no env" in flat, flat
    for group in parser._action_groups:
        if group._group_actions and group.title not in ("options", "positional arguments"):
            assert f"{group.title}:" in text


def test_run_help_shows_pantau_and_beam_groups(capsys):
    text = help_of("run", capsys)
    for group in ("Kafka:", "Elasticsearch:", "Beam: StandardOptions:", "Beam: FlinkRunnerOptions:",
                  "Beam: GoogleCloudOptions:", "Runner pass-through:", "Common:"):
        assert group in text, group
    assert "--runner" in text and "env PANTAU_RUNNER" in text
    assert "--es_url" in text and "env PANTAU_ES_URL" in text


@pytest.mark.parametrize("command", COMMANDS)
def test_declared_options_use_underscores(command, monkeypatch):
    parser = capture_parser(command, monkeypatch)
    for action in parser._actions:
        longs = [s for s in action.option_strings if s.startswith("--")]
        if longs and action.dest != "help":
            assert "-" not in longs[0][2:], f"pantau {command}: {longs[0]} (spell it with underscores)"


@pytest.mark.parametrize("command", COMMANDS)
def test_misspelt_option_exits_2_with_a_suggestion(command, capsys):
    with pytest.raises(SystemExit) as stop:
        cli.main([command, "--log_levle", "DEBUG"])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "unknown option --log_levle" in err and "did you mean --log_level?" in err, err


def test_run_misspelt_option_fails_instead_of_running_against_the_default(capsys):
    with pytest.raises(SystemExit) as stop:
        pipeline_options(["--es-ulr", "http://es.example:9200"])
    assert stop.value.code == 2
    assert "did you mean --es_url?" in capsys.readouterr().err


def test_dashed_spelling_is_an_alias():
    opts = pipeline_options(["--es-url", "http://es.example:9200", "--input-topic=t1"])
    assert opts.get_all_options()["es_url"] == "http://es.example:9200"
    assert opts.get_all_options()["input_topic"] == "t1"


def test_precedence_flag_over_env_over_file_over_default(tmp_path, monkeypatch):
    config = tmp_path / "pantau.yaml"
    config.write_text("bulk_max_docs: 100\nes_alias: from-file\ninput_topic: file-topic\n"
                      "run:\n  consumer_group: file-group\n", encoding="utf-8")
    monkeypatch.setenv("PANTAU_ES_ALIAS", "from-env")
    monkeypatch.setenv("PANTAU_INPUT_TOPIC", "env-topic")
    opts = pipeline_options(["--config", str(config), "--input_topic", "flag-topic"]).get_all_options()
    assert opts["input_topic"] == "flag-topic"      # flag > env
    assert opts["es_alias"] == "from-env"           # env > file
    assert opts["bulk_max_docs"] == 100             # file > default
    assert opts["consumer_group"] == "file-group"   # the command's section
    assert opts["es_index_prefix"] == "pantau-posts"  # default


def test_env_values_are_typed_and_checked(monkeypatch, capsys):
    monkeypatch.setenv("PANTAU_PSEUDONYMIZE", "yes")
    monkeypatch.setenv("PANTAU_STOP_WHEN_IDLE_S", "2.5")
    opts = pipeline_options([]).get_all_options()
    assert opts["pseudonymize"] is True and opts["stop_when_idle_s"] == 2.5
    monkeypatch.setenv("PANTAU_ENRICHMENT", "some")
    with pytest.raises(SystemExit) as stop:
        pipeline_options([])
    assert stop.value.code == 2 and "PANTAU_ENRICHMENT" in capsys.readouterr().err


def test_unknown_key_in_a_command_section_is_an_error(tmp_path, capsys):
    config = tmp_path / "pantau.yaml"
    config.write_text("run:\n  bulk_max_dcos: 5\n", encoding="utf-8")
    with pytest.raises(SystemExit) as stop:
        pipeline_options(["--config", str(config)])
    assert stop.value.code == 2
    assert "did you mean 'bulk_max_docs'" in capsys.readouterr().err


def test_log_level_applies_to_pantau_loggers():
    parser = SettingsParser(prog="pantau x")
    before = logging.getLogger("transforms").level
    try:
        parser.parse_args(["--log_level", "debug"])
        assert logging.getLogger("transforms").level == logging.DEBUG
    finally:
        logging.getLogger("transforms").setLevel(before)


def test_version(capsys):
    assert cli.main(["--version"]) == 0
    assert re.fullmatch(r"pantau \d+\.\d+\.\d+\S*\n", capsys.readouterr().out)


def test_settings_parser_is_an_argparse_parser():
    assert issubclass(SettingsParser, argparse.ArgumentParser)


def test_evaluate_help_lists_reviews(capsys):
    from pipelines.review import evaluate_main
    with pytest.raises(SystemExit) as exit_:
        evaluate_main(["--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert "--reviews" in out and "--task" in out
    with pytest.raises(SystemExit) as exit_:
        evaluate_main(["--reviews", "--help"])
    assert exit_.value.code == 0
    assert "--reviews_index" in capsys.readouterr().out


def test_nlp_evaluate_refuses_reviews_it_cannot_read(capsys):
    from transforms.nlp.training.evaluate import main as nlp_evaluate
    with pytest.raises(SystemExit) as exit_:
        nlp_evaluate(["--reviews"])
    assert exit_.value.code == 2
    assert "pantau evaluate --reviews" in capsys.readouterr().err


def test_import_noise_of_libraries_is_dropped_and_other_warnings_kept():
    """Beam's "apitools not found" import warning and aiosmtpd's SMTP chatter (the demo's mail
    server) tell a pantau user nothing; real warnings stay."""
    import subprocess
    import sys

    code = ("import logging; from pipelines import cli; cli.configure_logging(); "
            "logging.warning('apitools not found, and bigquery client libraries are not available'); "
            "logging.warning('a real warning'); logging.getLogger('pantau.x').warning('a named warning'); "
            "logging.getLogger('mail.log').info('>> EHLO localhost')")
    err = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stderr
    assert "apitools" not in err and "EHLO" not in err
    assert "a real warning" in err and "a named warning" in err
