"""``pantau config``: checks a config file (and PANTAU_* variables) and prints a command's
effective settings with their origin, secrets masked, like ``vector validate``."""
from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence

from transforms.core.settings import (
    CONFIG_ENV,
    ENV_PREFIX,
    SECRET_ENV,
    ParserCaptured,
    SettingsError,
    SettingsParser,
    capture_parser,
    convert,
    env_name,
    load_config,
    suggest,
)

# PANTAU_* variables that are not settings: user names of secrets, the config file, the local
# stack, the model folder, the health probe, and deploy/docker-compose.yml's own variables
OTHER_ENV = {CONFIG_ENV, "PANTAU_KAFKA_USERNAME", "PANTAU_ES_USERNAME", "PANTAU_SCHEMA_REGISTRY_USERNAME",
             "PANTAU_KIBANA_USERNAME", "PANTAU_NOIDA_BIN", "PANTAU_TANSU_BIN", "PANTAU_STACK_DIR", "PANTAU_HOME",
             "PANTAU_HOST", "PANTAU_BROKER", "PANTAU_NLP_MODELS", "PANTAU_METRICS_ADDR", "PANTAU_HEALTH_HOST",
             "PANTAU_HEALTH_PORT", "PANTAU_IMAGE", "PANTAU_GRAFANA_PORT", "PANTAU_KIBANA_PORT",
             "PANTAU_PROMETHEUS_PORT"}


def parser_of(command: str) -> SettingsParser | None:
    """The parser of a pantau command, without running it (None: its extra is not installed)."""
    from pipelines.cli import resolve
    try:
        main = resolve(command)
    except ImportError:
        return None
    with capture_parser():
        try:
            main([])
        except ParserCaptured as caught:
            return caught.parser
    return None


def parsers(commands: Sequence[str]) -> dict[str, SettingsParser]:
    """The parsers of the commands that have settings and are installed."""
    found = {name: parser_of(name) for name in commands if name != "config"}
    return {name: parser for name, parser in found.items() if parser is not None}


def validate(config: Mapping[str, object], by_command: Mapping[str, SettingsParser]) -> list[str]:
    """The problems of a config file: unknown keys (with the closest known one), values a
    setting refuses, unknown keys in a command's section."""
    problems: list[str] = []
    settings = {a.dest: (name, a) for name, p in by_command.items() for a in p.settings()}
    for key, value in config.items():
        if key in by_command:
            if not isinstance(value, dict):
                problems.append(f"config section {key!r}: expected a mapping")
                continue
            for name, item in value.items():  # one by one: every problem is told
                try:
                    by_command[key].resolve_defaults({key: {name: item}})
                except SettingsError as e:
                    problems.append(str(e))
        elif key in settings:
            for parser in by_command.values():
                for action in parser.settings():
                    if action.dest == key:
                        try:
                            convert(action, value, f"config {key}")
                        except SettingsError as e:
                            problems.append(str(e))
                        break
        else:
            hint = suggest(key, list(settings) + list(by_command))
            problems.append(f"config: unknown setting {key!r}" + (f" (did you mean {hint!r}?)" if hint else ""))
    return sorted(set(problems))


def unknown_env(by_command: Mapping[str, SettingsParser], environ: Mapping[str, str]) -> list[str]:
    """PANTAU_* variables that no setting reads (a misspelt override is silently ignored otherwise)."""
    known = {env_name(a.dest) for p in by_command.values() for a in p.settings()}
    known |= OTHER_ENV | set(SECRET_ENV) | {f"{n}_FILE" for n in set(SECRET_ENV) | OTHER_ENV}
    out = []
    for name in sorted(environ):
        if name.startswith(ENV_PREFIX) and name not in known:
            hint = suggest(name, sorted(known))
            out.append(f"{name} is not a pantau setting" + (f" (did you mean {hint}?)" if hint else ""))
    return out


def main(argv: Sequence[str]) -> int:
    """``pantau config [--config FILE] [--command run]``: exit 0 when valid, 1 when not."""
    from pipelines.cli import COMMANDS
    parser = SettingsParser(prog="pantau config", command="config", apply_config=False,
                            description="Check a config file and the PANTAU_* variables; print the "
                                        "effective settings of a command (secrets masked).")
    parser.add_argument("--command", default="run", help="the command whose settings are printed")
    args = parser.parse_args(list(argv))
    by_command = parsers(list(COMMANDS))
    if args.command not in by_command:
        hint = suggest(args.command, by_command)
        print(f"pantau config: no command {args.command!r}" + (f" (did you mean {hint}?)" if hint else ""),
              file=sys.stderr)
        return 2
    path = args.config or os.environ.get(CONFIG_ENV)
    problems: list[str] = []
    config: dict[str, object] = {}
    if path:
        try:
            config = load_config(path)
        except SettingsError as e:
            problems.append(str(e))
        problems += validate(config, by_command)
    warnings = unknown_env(by_command, os.environ)
    for line in warnings:
        print(f"warning: {line}", file=sys.stderr)
    if problems:
        for line in problems:
            print(f"error: {line}", file=sys.stderr)
        print(f"{path}: invalid ({len(problems)} problem{'s' if len(problems) > 1 else ''})", file=sys.stderr)
        return 1
    target = by_command[args.command]
    namespace = target.parse_args(["--config", path] if path else [])
    print(f"# effective settings of `pantau {args.command}` (flag > env > config file > default)")
    if path:
        print(f"# config file {path}: valid")
    group_seen = None
    for group, name, value, origin in target.effective(namespace):
        if group != group_seen:
            print(f"\n[{group}]")
            group_seen = group
        shown = "" if value is None else value
        print(f"{name} = {shown}    # {origin}")
    print("\n[secrets: environment or files only]")
    for name in SECRET_ENV:
        if os.environ.get(name):
            print(f"{name} = ****    # env")
        elif os.environ.get(f"{name}_FILE"):
            readable = os.access(os.environ[f"{name}_FILE"], os.R_OK)
            print(f"{name}_FILE = {os.environ[f'{name}_FILE']}    # {'readable' if readable else 'NOT READABLE'}")
    return 0
