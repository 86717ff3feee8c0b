"""Inter-annotator agreement: validated metrics in plain numpy, no Django imports.

The entry points are :func:`document_statistics` (or :func:`documents_statistics` for
many documents at once, computed in batches), :func:`combine_statistics` and
:func:`metrics_from_statistics`; the coded-data coefficients live in :mod:`.coding`.
"""

from .coding import (
    cohen_kappa,
    fleiss_kappa,
    krippendorff_alpha,
    percent_agreement,
    scott_pi,
)
from .statistics import (
    STATISTICS_VERSION,
    combine_statistics,
    document_statistics,
    documents_statistics,
    metrics_from_statistics,
    replace_document,
)
from .types import DocumentInput, RelationUnit, SpanUnit

__all__ = [
    "STATISTICS_VERSION",
    "DocumentInput",
    "RelationUnit",
    "SpanUnit",
    "cohen_kappa",
    "combine_statistics",
    "document_statistics",
    "documents_statistics",
    "fleiss_kappa",
    "krippendorff_alpha",
    "metrics_from_statistics",
    "percent_agreement",
    "replace_document",
    "scott_pi",
]
