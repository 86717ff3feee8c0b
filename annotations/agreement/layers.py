"""Many documents' annotator layers as flat arrays, so per-document statistics of a whole
batch cost a fixed number of numpy calls instead of a few dozen per document.

A document of ~75 spans is too small for numpy to pay off on its own: its arrays hold a
few dozen numbers and the call overhead dominates. Laid end to end, a thousand such
documents make arrays long enough for numpy, and every per-document sum becomes one
``bincount`` keyed by document. One document is simply a batch of one.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from itertools import combinations
from math import prod

import numpy as np
from numpy.typing import NDArray

IntArray = NDArray[np.int64]
#: One unit of a layer: (start, end, label index).
Unit = tuple[int, int, int]


@dataclass(frozen=True)
class LayerBatch:
    """The layers of several documents: per document its length and its annotators'
    units, layers numbered document by document in the order given.

    Units keep the order given within each layer; the functions that need an order
    (by label and start, say) say so and sort themselves.
    """

    lengths: IntArray  #: per document
    coders: IntArray  #: per document: how many layers (annotators) it has
    first_layer: IntArray  #: per document: the number of its first layer
    layer_doc: IntArray  #: per layer: its document
    owner: IntArray  #: per unit: its layer
    starts: IntArray  #: per unit
    ends: IntArray  #: per unit
    labels: IntArray  #: per unit: label index
    label_count: int  #: label indexes run from 0 to label_count − 1

    @classmethod
    def build(
        cls, documents: Sequence[tuple[Sequence[Sequence[Unit]], int]], label_count: int
    ) -> LayerBatch:
        """``documents`` holds, per document, (its layers' units, its length)."""
        sizes = [len(layer) for layers, _ in documents for layer in layers]
        flat = [unit for layers, _ in documents for layer in layers for unit in layer]
        units = np.array(flat, dtype=np.int64).reshape(len(flat), 3)
        return cls.from_arrays(
            [length for _, length in documents],
            [len(layers) for layers, _ in documents],
            np.repeat(np.arange(len(sizes), dtype=np.int64), sizes),
            units.T.copy(),
            label_count,
        )

    @classmethod
    def from_arrays(
        cls,
        lengths: Sequence[int],
        coders: Sequence[int],
        owner: IntArray,
        units: IntArray,
        label_count: int,
    ) -> LayerBatch:
        """Per document its length and how many layers it has; per unit its layer
        (``owner``, units grouped by layer in layer order) and, in the rows of
        ``units``, its start, end and label index."""
        layer_counts = np.array(coders, dtype=np.int64)
        return cls(
            lengths=np.array(lengths, dtype=np.int64),
            coders=layer_counts,
            first_layer=np.concatenate([[0], np.cumsum(layer_counts)[:-1]]).astype(np.int64),
            layer_doc=np.repeat(np.arange(layer_counts.size, dtype=np.int64), layer_counts),
            owner=owner,
            starts=units[0],
            ends=units[1],
            labels=units[2],
            label_count=label_count,
        )

    def merged(self) -> LayerBatch:
        """The same layers with each layer's units sorted by (label, start), overlapping
        units of one label merged into their union.

        αU assumes an annotator's units of one category do not overlap (DKPro rejects
        such input); a project may allow overlapping spans, and two overlapping spans of
        the same label mark the same stretch as relevant, so their union is the unit.
        Adjacent units stay separate units, as in Krippendorff's examples.
        """
        if not self.owner.size:
            return self
        order = stable_order(self.owner, self.labels, self.starts, self.ends)
        owner, starts, ends, labels = (
            self.owner[order],
            self.starts[order],
            self.ends[order],
            self.labels[order],
        )
        group = owner * self.label_count + labels
        # The furthest end so far among a layer's units of one label, for every group
        # in one running maximum: offsetting each group by more than any end keeps the
        # groups apart. With units sorted by start it is the end of the union being built.
        offset = group * (int(ends.max()) + 1)
        reach = np.maximum.accumulate(ends + offset) - offset
        opens = np.ones(owner.size, dtype=bool)
        opens[1:] = (group[1:] != group[:-1]) | (starts[1:] >= reach[:-1])
        first = np.nonzero(opens)[0]
        last = np.append(first[1:], owner.size) - 1
        return replace(
            self, owner=owner[first], starts=starts[first], ends=reach[last], labels=labels[first]
        )

    @property
    def documents(self) -> int:
        return int(self.lengths.size)

    @property
    def layers(self) -> int:
        return int(self.layer_doc.size)

    @property
    def unit_doc(self) -> IntArray:
        return self.layer_doc[self.owner]

    def pair_slots(self) -> Iterator[tuple[int, int, IntArray]]:
        """Per annotator pair (i, j), i < j, in ``itertools.combinations`` order: the
        documents that have both. Their layers are ``first_layer[docs] + i`` and ``+ j``.
        """
        most = int(self.coders.max()) if self.coders.size else 0
        for i, j in combinations(range(most), 2):
            yield i, j, np.nonzero(self.coders > j)[0]

    def padded(self) -> tuple[IntArray, IntArray, IntArray]:
        """Units as [layer, position] arrays (starts, ends, labels), in the order given;
        padding is the empty unit [0, 0) with label −1."""
        counts = np.bincount(self.owner, minlength=self.layers)
        width = int(counts.max()) if counts.size else 0
        position = np.arange(self.owner.size) - np.repeat(np.cumsum(counts) - counts, counts)
        starts = np.zeros((self.layers, width), dtype=np.int64)
        ends = np.zeros((self.layers, width), dtype=np.int64)
        labels = np.full((self.layers, width), -1, dtype=np.int64)
        starts[self.owner, position] = self.starts
        ends[self.owner, position] = self.ends
        labels[self.owner, position] = self.labels
        return starts, ends, labels


def pair_index(i: int, j: int, coders: IntArray) -> IntArray:
    """The position of pair (i, j) in ``combinations(range(m), 2)``, per document's m."""
    return i * coders - i * (i + 1) // 2 + (j - i - 1)


def ranges(starts: IntArray, ends: IntArray) -> IntArray:
    """The concatenation of ``arange(s, e)`` for every (s, e), without a Python loop."""
    counts = ends - starts
    offsets = np.repeat(starts - (np.cumsum(counts) - counts), counts)
    result: IntArray = offsets + np.arange(int(counts.sum()), dtype=np.int64)
    return result


def unique(values: IntArray) -> IntArray:
    """The distinct values, sorted, as ``np.unique`` gives them: numpy's hash table
    there is about fifteen times slower than a sort on arrays of tens of thousands of
    integers, the size of a batch's boundaries."""
    ordered = np.sort(values)
    first = np.ones(ordered.size, dtype=bool)
    first[1:] = ordered[1:] != ordered[:-1]
    result: IntArray = ordered[first]
    return result


def stable_order(*keys: IntArray) -> IntArray:
    """The indexes that sort by the first key, then the second, and so on, ties kept in
    their original order: ``np.lexsort(keys[::-1])``.

    When the keys' ranges multiply to less than 2⁶³ they are folded into one integer
    and sorted once, about ten times faster than lexsort's pass per key; both sorts are
    stable, so the order is the same.
    """
    if not keys[0].size:
        return np.zeros(0, dtype=np.int64)
    lows = [int(key.min()) for key in keys]
    widths = [int(key.max()) - low + 1 for key, low in zip(keys, lows, strict=True)]
    if prod(widths) >= 1 << 63:
        return np.lexsort(keys[::-1])
    folded = np.zeros(keys[0].size, dtype=np.int64)
    for key, low, width in zip(keys, lows, widths, strict=True):
        folded = folded * width + (key - low)
    order: IntArray = np.argsort(folded, kind="stable")
    return order
