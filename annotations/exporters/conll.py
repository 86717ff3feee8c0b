"""CoNLL with BIO tags: one token a line, one tag column per label.

The tokenizer (documented here and in the README): a token is either a run of letters,
combining marks, digits and connector punctuation, with single inner apostrophes or hyphens
kept inside it (`don't`, `COVID-19`, `l’État`), or any other single user-perceived character
that is not white space (a punctuation mark, an emoji with its modifiers and joiners), as
`regex`'s `\\X` grapheme clusters define them. START and END are code-point offsets into
the stored text. A line break between two tokens ends a sentence (a blank line).

Tags: a token that overlaps a span of label L is `B-L` if it is the span's first such
token, else `I-L`. Spans of different labels overlap freely (one column each); where two
spans of the same label overlap, the one that starts first (the longer at a tie) keeps the
shared tokens.
"""

import bisect

import regex

from annotations.exporters.base import Exporter
from annotations.exporters.records import DocumentRecord

TOKEN = regex.compile(r"[\p{L}\p{M}\p{N}\p{Pc}]+(?:['’\-][\p{L}\p{M}\p{N}\p{Pc}]+)*|(?:(?!\s)\X)")


def tokenize(text: str) -> list[tuple[int, int]]:
    return [match.span() for match in TOKEN.finditer(text)]


class ConllExporter(Exporter):
    extension = "conll"
    content_type = "text/plain; charset=utf-8"

    def begin(self) -> None:
        self.labels = [label["name"] for label in self.context.project.label_schema["labels"]]
        self.out.write("# factcheck CoNLL export: TOKEN START END then one BIO column per label\n")

    def write(self, documents: list[DocumentRecord]) -> None:
        write = self.out.write
        for document in documents:
            tokens = tokenize(document.text)
            starts = [start for start, _ in tokens]
            ends = [end for _, end in tokens]
            for layer in document.layers:
                columns = {label: ["O"] * len(tokens) for label in self.labels}
                for span in sorted(layer.spans, key=lambda s: (s.start, -s.end)):
                    tags = columns.setdefault(span.label, ["O"] * len(tokens))
                    first = bisect.bisect_right(ends, span.start)
                    last = bisect.bisect_left(starts, span.end)
                    opened = False
                    for index in range(first, last):
                        if tags[index] != "O":
                            continue
                        tags[index] = ("I-" if opened else "B-") + span.label
                        opened = True
                write(f"# document_id = {document.id}\n")
                write(f"# title = {' '.join(document.title.split())}\n")
                write(f"# layer = {layer.name}\n")
                order = list(columns)
                write(f"# columns = TOKEN START END {' '.join(order)}\n")
                previous_end = None
                for index, (start, end) in enumerate(tokens):
                    if previous_end is not None and "\n" in document.text[previous_end:start]:
                        write("\n")
                    previous_end = end
                    cells = "\t".join(columns[label][index] for label in order)
                    write(f"{document.text[start:end]}\t{start}\t{end}\t{cells}\n")
                write("\n")
