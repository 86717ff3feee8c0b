"""Exporters: every format streams documents a batch at a time into a file.

jsonl (native), csv, w3c (Web Annotation JSON-LD), brat (zip), conll (BIO), labelstudio
(JSON tasks) and claimreview (schema.org JSON-LD). `annotations.services.exports` runs them.
"""

from annotations.exporters.base import Exporter
from annotations.exporters.brat import BratExporter
from annotations.exporters.claimreview import ClaimReviewExporter
from annotations.exporters.conll import ConllExporter
from annotations.exporters.jsonl import JsonlExporter
from annotations.exporters.labelstudio import LabelStudioExporter
from annotations.exporters.tabular import CsvExporter
from annotations.exporters.w3c import W3cExporter

EXPORTERS: dict[str, type[Exporter]] = {
    "jsonl": JsonlExporter,
    "csv": CsvExporter,
    "w3c": W3cExporter,
    "brat": BratExporter,
    "conll": ConllExporter,
    "labelstudio": LabelStudioExporter,
    "claimreview": ClaimReviewExporter,
}
