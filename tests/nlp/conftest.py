"""Shared fixtures: the real shipped models, loaded once per test session."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

MODEL_DIR = ROOT / "transforms" / "nlp" / "models"


@pytest.fixture(scope="session")
def model_dir() -> Path:
    return MODEL_DIR


@pytest.fixture(scope="session")
def enricher():
    from transforms.nlp.enricher import Enricher

    return Enricher.load(str(MODEL_DIR))


@pytest.fixture(scope="session")
def langid(enricher):
    return enricher.langid


@pytest.fixture(scope="session")
def sentiment(enricher):
    return enricher.sentiment


@pytest.fixture(scope="session")
def extractor(enricher):
    return enricher.entities
