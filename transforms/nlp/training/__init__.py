"""Offline NLP tooling: training, evaluation and data building (``pantau train`` / ``evaluate``); never imported at run time."""
