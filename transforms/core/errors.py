"""The error a stage raises for an element it refuses (no dependencies, so every room can use it)."""
from __future__ import annotations


class StageError(ValueError):
    """An element that cannot pass a stage; ``kind`` becomes the dead letter's ``error_kind``."""

    def __init__(self, kind: str, message: str):
        super().__init__(f"{kind}: {message}")
        self.kind = kind
        self.message = message
