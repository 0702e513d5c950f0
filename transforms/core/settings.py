"""The settings machinery of every ``pantau`` command: one spelling, env overrides, a config file, help.

A command declares each option once, with ``add_argument`` on a :class:`SettingsParser` or one of
its argument groups (flag name, type, default, choices, help, group). The parser derives the rest:

* the environment variable ``PANTAU_<NAME>`` overrides the declared default (``PANTAU_ES_URL``);
* ``--config FILE`` (or ``PANTAU_CONFIG``) reads a YAML mapping of ``name: value``; top-level keys
  are for every command that has the setting, a section named after the command (``run:``,
  ``monitor:``) for that command only, where an unknown key is an error;
* precedence: command-line flag > environment > config file > declared default;
* one spelling, underscores like Beam (``--es_url``); the dashed spelling (``--es-url``) is
  accepted as an alias;
* ``--help`` shows every option under its group with its effective default and its variable;
* an unknown or misspelt option exits with status 2 and the closest known option.

It lives in ``transforms/core`` because commands under ``transforms/nlp`` use it too (transforms
never import ``pipelines``); it imports only the standard library and PyYAML.
"""
from __future__ import annotations

import argparse
import contextlib
import difflib
import logging
import os
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, NoReturn

ENV_PREFIX = "PANTAU_"
CONFIG_ENV = "PANTAU_CONFIG"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
TRUE, FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off", "")
# secrets are never options: they come from these variables or the files their *_FILE twin names
SECRET_ENV = ("PANTAU_KAFKA_PASSWORD", "PANTAU_ES_API_KEY", "PANTAU_ES_PASSWORD",
              "PANTAU_PSEUDONYM_KEY", "PANTAU_SCHEMA_REGISTRY_PASSWORD", "PANTAU_SCHEMA_REGISTRY_TOKEN",
              "PANTAU_KIBANA_PASSWORD", "PANTAU_KIBANA_API_KEY")
SECRET_WORDS = ("password", "secret", "token", "api_key", "apikey", "credential", "sasl_plain")
_PLAIN_ACTIONS = (argparse._StoreAction, argparse._StoreTrueAction, argparse._StoreFalseAction,
                  argparse._AppendAction)


class SettingsError(ValueError):
    """A config file or environment value that does not fit its setting."""


def env_name(dest: str) -> str:
    """The environment variable of a setting."""
    return ENV_PREFIX + dest.upper()


def is_secret(name: str) -> bool:
    """Whether a setting or key name holds a secret (masked when printed)."""
    lowered = name.lower()
    return any(word in lowered for word in SECRET_WORDS)


def mask(name: str, value: Any) -> Any:
    """The value as it may be printed."""
    if value in (None, "", [], ()):
        return value
    if is_secret(name):
        return "****"
    if isinstance(value, (list, tuple)):
        return [mask_pair(v) for v in value]
    return value


def mask_pair(item: Any) -> Any:
    """``key=value`` (or a (key, value) pair) with the value masked when the key names a secret."""
    if isinstance(item, tuple) and len(item) == 2:
        item = f"{item[0]}={item[1]}"
    if not isinstance(item, str):
        return item
    key, sep, _ = item.partition("=")
    return f"{key}=****" if sep and is_secret(key) else item


def load_config(path: str) -> dict[str, Any]:
    """The YAML mapping of a config file (an empty file is an empty mapping)."""
    import yaml

    try:
        with open(path, encoding="utf-8") as f:
            data = yaml.safe_load(f)
    except OSError as e:
        raise SettingsError(f"config file {path}: {e.strerror}") from e
    except yaml.YAMLError as e:
        raise SettingsError(f"config file {path}: not valid YAML: {e}") from e
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise SettingsError(f"config file {path}: expected a mapping of setting: value, got {type(data).__name__}")
    return {str(k).replace("-", "_"): v for k, v in data.items()}


def config_path_from(argv: Sequence[str], environ: Mapping[str, str]) -> str | None:
    """The config file named by ``--config`` (last one wins) or ``PANTAU_CONFIG``."""
    path = environ.get(CONFIG_ENV) or None
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--config" and i + 1 < len(argv):
            path = argv[i + 1]
        elif arg.startswith("--config="):
            path = arg.split("=", 1)[1]
    return path


def suggest(word: str, candidates: Iterable[str]) -> str | None:
    """The closest candidate to a misspelt option or key, if any is close."""
    options = list(candidates)
    normal = {c.replace("-", "_").lower(): c for c in options}
    match = difflib.get_close_matches(word.replace("-", "_").lower(), list(normal), n=1, cutoff=0.6)
    return normal[match[0]] if match else None


def convert(action: argparse.Action, raw: Any, origin: str) -> Any:
    """A value from the environment or a config file, typed and checked like a flag's value."""
    if isinstance(action, (argparse._StoreTrueAction, argparse._StoreFalseAction)):
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in TRUE or text in FALSE:
            return text in TRUE
        raise SettingsError(f"{origin}: expected true or false, got {raw!r}")
    if isinstance(action, argparse._AppendAction):
        items = raw if isinstance(raw, list) else [x for x in str(raw).split(",") if x.strip()] \
            if not isinstance(raw, str) or "\n" not in raw else raw.splitlines()
        return [convert_one(action, item, origin) for item in items]
    return convert_one(action, raw, origin)


def convert_one(action: argparse.Action, raw: Any, origin: str) -> Any:
    """One typed value, checked against the choices."""
    value = raw
    if action.type is not None and (isinstance(raw, str) or action.type in (int, float)):
        try:
            value = action.type(raw if isinstance(raw, str) else str(raw))
        except (TypeError, ValueError, argparse.ArgumentTypeError) as e:
            raise SettingsError(f"{origin}: invalid value {raw!r}: {e}") from e
    if action.choices is not None and value not in action.choices:
        choices = ", ".join(str(c) for c in action.choices)
        raise SettingsError(f"{origin}: invalid choice {raw!r} (choose from {choices})")
    return value


class ParserCaptured(Exception):
    """Raised by a command's parser instead of parsing, inside :func:`capture_parser`."""

    def __init__(self, parser: SettingsParser) -> None:
        super().__init__(parser.prog)
        self.parser = parser


_CAPTURING: list[bool] = []


@contextlib.contextmanager
def capture_parser() -> Iterator[None]:
    """Within this block a SettingsParser raises :class:`ParserCaptured` when asked to parse,
    so a command's parser can be had (``pantau config``, tests) without running the command."""
    _CAPTURING.append(True)
    try:
        yield
    finally:
        _CAPTURING.pop()


class SettingsParser(argparse.ArgumentParser):
    """An ArgumentParser with env overrides, a config file, one spelling and helpful errors."""

    def __init__(self, *args: Any, command: str | None = None, environ: Mapping[str, str] | None = None,
                 apply_config: bool = True, **kwargs: Any) -> None:
        kwargs.setdefault("allow_abbrev", False)
        kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)
        kwargs.setdefault("epilog", "Every option may be spelt with dashes too (--es-url for --es_url). "
                                    "Precedence: flag > environment (PANTAU_<OPTION>) > --config file > "
                                    "default.")
        super().__init__(*args, **kwargs)
        self.command = command or (self.prog.split()[-1] if self.prog else "")
        self.environ = os.environ if environ is None else environ
        self.origins: dict[str, str] = {}
        self.apply_config = apply_config  # False: --config names a file to check, not to apply
        common = self.add_argument_group("Common")
        common.add_argument("--config", default=None, metavar="FILE",
                            help="YAML file of settings (name: value; a section per command)")
        common.add_argument("--log_level", default="INFO", type=str.upper, choices=LOG_LEVELS,
                            help="log level of pantau's own loggers")

    # -- the settings -------------------------------------------------------------------------
    def settings(self) -> list[argparse.Action]:
        """The options that take env and config values (not --help, --config)."""
        return [a for a in self._actions if a.option_strings and a.dest not in ("help", "config")
                and isinstance(a, _PLAIN_ACTIONS)]

    def option_strings(self) -> list[str]:
        """Every accepted option string."""
        return [s for a in self._actions for s in a.option_strings]

    def resolve_defaults(self, config: Mapping[str, Any] | None) -> None:
        """Declared defaults, overridden by the config file, then by the environment."""
        section = (config or {}).get(self.command)
        if section is not None and not isinstance(section, dict):
            raise SettingsError(f"config section {self.command!r}: expected a mapping")
        section = {str(k).replace("-", "_"): v for k, v in (section or {}).items()}
        known = {a.dest for a in self.settings()}
        for key in section:
            if key not in known:
                hint = suggest(key, known)
                raise SettingsError(f"config section {self.command!r}: unknown setting {key!r}"
                                    + (f" (did you mean {hint!r}?)" if hint else ""))
        for action in self.settings():
            name = env_name(action.dest)
            if name in self.environ:
                action.default = convert(action, self.environ[name], name)
                self.origins[action.dest] = f"env {name}"
            elif action.dest in section:
                action.default = convert(action, section[action.dest], f"config {self.command}.{action.dest}")
                self.origins[action.dest] = "config file"
            elif config and action.dest in config and not isinstance(config[action.dest], dict):
                action.default = convert(action, config[action.dest], f"config {action.dest}")
                self.origins[action.dest] = "config file"

    def describe(self) -> None:
        """Help of every setting: its default and environment variable."""
        settings = self.settings()
        for action in self._actions:
            if not action.option_strings or action.dest in ("help", "config") or isinstance(
                    action, argparse._VersionAction):
                continue
            if getattr(action, "_pantau_described", False):
                continue
            action._pantau_described = True  # type: ignore[attr-defined]
            if action.help == argparse.SUPPRESS:
                continue
            base = action.help or ""
            default = "%(default)s" if not is_secret(action.dest) else "****"
            extra = f"default: {default}; env {env_name(action.dest)}" if action in settings else \
                f"default: {default}; no env"
            action.help = f"{base} ({extra})" if base else f"({extra})"

    # -- parsing ------------------------------------------------------------------------------
    def canonical(self, argv: Sequence[str]) -> list[str]:
        """The arguments with the dashed spelling of every option turned into its declared one."""
        known = set(self.option_strings())
        out: list[str] = []
        for i, arg in enumerate(argv):
            if arg == "--":
                out.extend(argv[i:])
                break
            if arg.startswith("--") and len(arg) > 2:
                name, sep, value = arg.partition("=")
                if name not in known:
                    underscored = "--" + name[2:].replace("-", "_")
                    if underscored in known:
                        name = underscored
                arg = name + sep + value
            out.append(arg)
        return out

    def parse_known_args(self, args: Sequence[str] | None = None, namespace: Any = None):  # type: ignore[override]
        argv = self.canonical(list(sys.argv[1:] if args is None else args))
        try:
            path = config_path_from(argv, self.environ) if self.apply_config else None
            self.resolve_defaults(load_config(path) if path else None)
        except SettingsError as e:
            self.error(str(e))
        self._pantau_resolved = True
        self.describe()
        parsed, extra = super().parse_known_args(argv, namespace)
        level = getattr(parsed, "log_level", None)
        if level:
            logging.getLogger().setLevel(level)
            for name in ("pipelines", "transforms", "devtools"):
                logging.getLogger(name).setLevel(level)
        return parsed, extra

    def parse_args(self, args: Sequence[str] | None = None, namespace: Any = None):  # type: ignore[override]
        if _CAPTURING:
            raise ParserCaptured(self)
        argv = self.canonical(list(sys.argv[1:] if args is None else args))
        known = set(self.option_strings())
        for arg in argv:  # an unknown option is named before a missing required one
            if arg == "--":
                break
            if arg.startswith("--") and arg.split("=", 1)[0] not in known:
                self.unknown([arg])
        parsed, extra = self.parse_known_args(argv, namespace)
        if extra:
            self.unknown(extra)
        return parsed

    def unknown(self, extra: Sequence[str]) -> NoReturn:
        """Exit 2 naming the first unknown option and the closest known one."""
        options = [a for a in extra if a.startswith("-")]
        if not options:
            self.error(f"unrecognized arguments: {' '.join(extra)}")
        name = options[0].split("=", 1)[0]
        hint = suggest(name, [s for s in self.option_strings() if s.startswith("--")])
        self.error(f"unknown option {name}" + (f" (did you mean {hint}?)" if hint else "")
                   + f"; `{self.prog} --help` lists every option")

    def format_help(self) -> str:
        if not getattr(self, "_pantau_resolved", False):
            self._pantau_resolved = True
            try:
                path = config_path_from(sys.argv[1:], self.environ) if self.apply_config else None
                self.resolve_defaults(load_config(path) if path else None)
            except SettingsError:
                pass
        self.describe()
        return super().format_help()

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n")

    # -- what `pantau config` prints ------------------------------------------------------------
    def effective(self, namespace: argparse.Namespace) -> list[tuple[str, str, Any, str]]:
        """(group, setting, value masked, origin) of every setting."""
        rows = []
        for group in self._action_groups:
            for action in group._group_actions:
                if action in self.settings():
                    value = getattr(namespace, action.dest, None)
                    origin = self.origins.get(action.dest, "default")
                    if value != action.default:
                        origin = "flag"
                    rows.append((group.title or "", action.dest, mask(action.dest, value), origin))
        return rows
