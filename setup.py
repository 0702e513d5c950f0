"""Kept only for Beam's ``--setup_file`` (Dataflow workers); the metadata is in pyproject.toml."""
from setuptools import setup

setup()
