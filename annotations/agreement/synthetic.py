"""Reproducible synthetic annotation data for the benchmark and the property tests."""

from __future__ import annotations

import random
from collections.abc import Sequence

from .types import DocumentInput, RelationUnit, SpanUnit

LABELS = ("attribution", "claim", "denial")


def synthetic_document(
    rng: random.Random,
    doc_id: str,
    *,
    annotators: Sequence[str] = ("alice", "bob", "carol"),
    spans: int = 25,
    length: int = 3000,
    labels: Sequence[str] = LABELS,
    jitter: int = 4,
    noise: float = 0.2,
) -> DocumentInput:
    """A document where annotators mark the same underlying spans, imperfectly.

    Each underlying span is kept by an annotator with probability 1 − ``noise`` (its
    boundaries moved by up to ``jitter`` characters, its label changed with
    probability ``noise`` / 2); each annotator also adds ``noise`` · ``spans`` spans of
    their own. With ``noise`` = 1 every span is independent of the others (chance).
    Each annotator links some of their spans with a relation.
    """
    truth = []
    for _ in range(spans):
        width = rng.randint(5, 80)
        start = rng.randrange(0, length - width)
        truth.append((start, start + width, rng.choice(labels)))
    units: list[SpanUnit] = []
    relations: list[RelationUnit] = []
    for annotator in annotators:
        own: list[tuple[int, int, str]] = []
        for start, end, label in truth:
            if rng.random() < noise:
                continue
            s = max(0, start + rng.randint(-jitter, jitter))
            e = min(length, max(s + 1, end + rng.randint(-jitter, jitter)))
            if rng.random() < noise / 2:
                label = rng.choice(labels)
            own.append((s, e, label))
        for _ in range(round(noise * spans)):
            width = rng.randint(5, 80)
            start = rng.randrange(0, length - width)
            own.append((start, start + width, rng.choice(labels)))
        ids = []
        for index, (start, end, label) in enumerate(own):
            span_id = f"{annotator}-{index}"
            ids.append(span_id)
            units.append(
                SpanUnit(
                    annotator,
                    start,
                    end,
                    label,
                    {
                        "checkworthy": rng.random() < 0.5
                        if rng.random() < noise
                        else (start % 2 == 0)
                    },
                    span_id,
                )
            )
        for source, target in zip(ids[::3], ids[1::3], strict=False):
            relations.append(RelationUnit(annotator, "attributed_to", source, target))
    return DocumentInput(doc_id, length, list(annotators), units, relations)


def synthetic_documents(count: int, *, seed: int = 0, **options: object) -> list[DocumentInput]:
    """``count`` documents from :func:`synthetic_document` with one seeded generator."""
    rng = random.Random(seed)
    return [synthetic_document(rng, f"d{index}", **options) for index in range(count)]  # type: ignore[arg-type]
