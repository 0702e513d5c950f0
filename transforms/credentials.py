"""Secrets come from the environment or from files, never from options or the command line."""
from __future__ import annotations

import os


def read_secret(name: str) -> str | None:
    """The value of env var ``NAME``, or the contents of the file named by ``NAME_FILE``."""
    value = os.environ.get(name)
    if value:
        return value
    path = os.environ.get(f"{name}_FILE")
    if path:
        with open(path, encoding="utf-8") as f:
            return f.read().strip()
    return None


def kafka_client_settings(security: tuple[tuple[str, object], ...]) -> dict[str, object]:
    """kafka-python settings: the non-secret ones given, SASL credentials read here from
    PANTAU_KAFKA_USERNAME / PANTAU_KAFKA_PASSWORD (or their *_FILE), on the worker."""
    settings = dict(security)
    if settings.get("sasl_mechanism"):
        settings["sasl_plain_username"] = read_secret("PANTAU_KAFKA_USERNAME")
        settings["sasl_plain_password"] = read_secret("PANTAU_KAFKA_PASSWORD")
    return settings


def es_client_settings(options: tuple[tuple[str, object], ...]) -> dict[str, object]:
    """elasticsearch client settings: the non-secret ones given (``ca_certs``), credentials read
    here from PANTAU_ES_API_KEY, or PANTAU_ES_USERNAME + PANTAU_ES_PASSWORD (or their *_FILE)."""
    settings = dict(options)
    api_key = read_secret("PANTAU_ES_API_KEY")
    user, password = read_secret("PANTAU_ES_USERNAME"), read_secret("PANTAU_ES_PASSWORD")
    if api_key:
        settings["api_key"] = api_key
    elif user and password:
        settings["basic_auth"] = (user, password)
    return settings
