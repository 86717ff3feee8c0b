"""Measuring what computing agreement allocates, for the tests that bound it."""

import tracemalloc
from collections.abc import Sequence
from typing import Any

from annotations.agreement import DocumentInput, documents_statistics


def statistics_and_peak(docs: Sequence[DocumentInput]) -> tuple[list[dict[str, Any]], int]:
    """``documents_statistics(docs)`` and the most memory Python held while computing it."""
    tracemalloc.start()
    try:
        together = documents_statistics(docs)
        return together, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
