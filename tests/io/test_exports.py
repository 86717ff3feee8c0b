"""Exports in every format, and the round trips issue 6 asks for."""

import csv
import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest

from annotations.errors import Invalid
from annotations.exporters.records import export_options, pseudonym
from annotations.models import Assignment, AssignmentKind, Job, Project
from annotations.services.exports import export_job_create, export_write
from annotations.services.imports import import_job_create
from annotations.services.jobs import media_path
from tests.factories import MembershipFactory, ProjectFactory
from tests.io.builders import annotated_project, layer_content
from tests.io.conftest import run, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def data() -> dict[str, Any]:
    return annotated_project()


def export(project: Project, format: str, **options: Any) -> bytes:
    out = io.BytesIO()
    export_write(
        project=project,
        options=export_options(project=project, format=format, raw=options),
        out=out,
    )
    return out.getvalue()


def lines(raw: bytes) -> list[dict[str, Any]]:
    return [json.loads(line) for line in raw.decode().splitlines()]


def fresh_project(data: dict[str, Any], name: str) -> Project:
    project = ProjectFactory(name=name)
    MembershipFactory(project=project, user=data["adam"], role="admin")
    project.admin = data["adam"]  # type: ignore[attr-defined]
    return project


def import_into(project: Project, name: str, content: bytes, **options: Any) -> Job:
    job = import_job_create(
        project=project,
        actor=project.admin,  # type: ignore[attr-defined]
        uploads=[upload(name, content)],
        **options,
    )
    return run(job)


def preannotations(project: Project) -> dict[str, Any]:
    return {
        layer.document.title: layer_content(layer)
        for layer in Assignment.objects.filter(
            document__project=project, kind=AssignmentKind.PREANNOTATION
        ).select_related("document")
    }


def golds(project: Project) -> dict[str, Any]:
    return {
        layer.document.title: layer_content(layer)
        for layer in Assignment.objects.filter(
            document__project=project, kind=AssignmentKind.GOLD
        ).select_related("document")
    }


def test_jsonl_has_text_metadata_schema_version_layers_and_agreement(data: dict[str, Any]) -> None:
    rows = lines(export(data["project"], "jsonl", layer="all"))
    assert len(rows) == 2
    first = rows[0]
    assert first["title"] == "Article 0"
    assert first["schema_version"] == 1
    assert first["published_at"] == "2024-03-05"
    assert [(layer["kind"], layer["annotator"], layer["status"]) for layer in first["layers"]] == [
        ("annotator", "alice", "accepted"),
        ("annotator", "bob", "accepted"),
    ]
    spans = first["layers"][0]["spans"]
    for span in spans:
        assert first["text"][span["start"] : span["end"]] == span["quote"]
    assert {s["label"] for s in spans} == {"claim", "attribution", "denial"}
    ids = {s["id"] for s in spans}
    assert all(r["from"] in ids and r["to"] in ids for r in first["layers"][0]["relations"])
    assert "agreement" in first


def test_jsonl_round_trip_gives_the_same_spans_relations_and_attributes(
    data: dict[str, Any],
) -> None:
    first = export(data["project"], "jsonl", layer="gold")
    target = fresh_project(data, "Copy")
    job = import_into(target, "gold.jsonl", first)
    assert job.report["imported"] == 2
    assert job.report["warning_rows"] == []
    assert preannotations(target) == golds(data["project"])
    again = lines(export(target, "jsonl", layer="preannotation"))
    before = lines(first)
    for old, new in zip(before, again, strict=True):
        assert new["text"] == old["text"]
        strip = lambda layer: (  # noqa: E731
            sorted(
                (
                    s["label"],
                    s["start"],
                    s["end"],
                    s["quote"],
                    json.dumps(s["attributes"]),
                    s["note"],
                )
                for s in layer["spans"]
            ),
            sorted(r["type"] for r in layer["relations"]),
        )
        assert strip(new["layers"][0]) == strip(old["layers"][0])


def test_label_studio_round_trip(data: dict[str, Any]) -> None:
    tasks = json.loads(export(data["project"], "labelstudio", layer="gold"))
    assert len(tasks) == 2
    assert tasks[0]["annotations"][0]["ground_truth"] is True
    target = fresh_project(data, "From Label Studio")
    job = import_into(target, "tasks.json", json.dumps(tasks).encode())
    assert job.report["warning_rows"] == []
    old, new = golds(data["project"]), preannotations(target)
    # Notes are not part of Label Studio's results; everything else survives.
    strip_notes = lambda c: ([s[:5] for s in c[0]], c[1])  # noqa: E731
    assert {k: strip_notes(v) for k, v in new.items()} == {
        k: strip_notes(v) for k, v in old.items()
    }
    back = json.loads(export(target, "labelstudio", layer="preannotation"))
    assert [t["data"]["text"] for t in back] == [t["data"]["text"] for t in tasks]
    assert back[0]["predictions"][0]["result"]


def parse_ann(ann: str) -> tuple[dict[str, Any], list[tuple[str, str, str]], list[str], list[str]]:
    spans: dict[str, Any] = {}
    relations, attributes, notes = [], [], []
    for line in ann.splitlines():
        tag, rest = line.split("\t", 1)
        if tag.startswith("T"):
            kind_where, covered = rest.split("\t")
            kind, where = kind_where.split(" ", 1)
            pieces = [tuple(map(int, p.split())) for p in where.split(";")]
            spans[tag] = (kind, pieces, covered)
        elif tag.startswith("R"):
            kind, a, b = rest.split(" ")
            relations.append((kind, a.removeprefix("Arg1:"), b.removeprefix("Arg2:")))
        elif tag.startswith("A"):
            attributes.append(rest)
        elif tag.startswith("#"):
            notes.append(rest)
    return spans, relations, attributes, notes


def test_brat_output_reparses_against_its_text(data: dict[str, Any]) -> None:
    archive = zipfile.ZipFile(io.BytesIO(export(data["project"], "brat", layer="all")))
    names = sorted(archive.namelist())
    document = data["documents"][0]
    assert f"alice/{document.pk}.ann" in names
    assert f"bob/{document.pk}.txt" in names
    assert "annotation.conf" in names
    conf = archive.read("annotation.conf").decode()
    assert "attributed_to\tArg1:claim|denial, Arg2:attribution" in conf
    text = archive.read(f"alice/{document.pk}.txt").decode()
    spans, relations, attributes, notes = parse_ann(
        archive.read(f"alice/{document.pk}.ann").decode()
    )
    assert len(spans) == 3
    for _kind, pieces, covered in spans.values():
        assert covered == " ".join(text[a:b] for a, b in pieces)
    assert sorted(r[0] for r in relations) == ["attributed_to", "denies"]
    assert all(a in spans and b in spans for _, a, b in relations)
    assert any(
        a.startswith("check_worthiness T") and a.endswith(" check_worthy") for a in attributes
    )
    assert any(n.endswith("\tspeaker_name: Two former officials") for n in notes)


def test_brat_splits_a_span_that_crosses_a_line_break(data: dict[str, Any]) -> None:
    layer = Assignment.objects.get(document=data["documents"][0], annotator=data["alice"])
    text = layer.document.text
    start = text.index("😷")
    end = text.index("Two former") + 3
    layer.spans.create(label="claim", start=start, end=end, quote=text[start:end])
    archive = zipfile.ZipFile(io.BytesIO(export(data["project"], "brat", layer="alice")))
    spans, *_ = parse_ann(archive.read(f"alice/{layer.document_id}.ann").decode())
    crossing = [s for s in spans.values() if len(s[1]) == 2]
    assert crossing == [("claim", [(start, start + 2), (start + 3, end)], "😷. Two")]


def test_w3c_annotations_have_the_required_keys_and_exact_selectors(data: dict[str, Any]) -> None:
    collection = json.loads(export(data["project"], "w3c", layer="all"))
    assert collection["type"] == "AnnotationCollection"
    items = collection["first"]["items"]
    assert collection["total"] == len(items) == 2 * 2 * (3 + 2)
    texts = {d.source_url: d.text for d in data["documents"]}
    spans = [a for a in items if a["motivation"] == "tagging"]
    links = [a for a in items if a["motivation"] == "linking"]
    assert len(spans) == 12
    assert len(links) == 8
    ids = {a["id"] for a in spans}
    for annotation in items:
        assert {"@context", "id", "type", "target"} <= set(annotation)
        assert annotation["@context"] == "http://www.w3.org/ns/anno.jsonld"
        assert annotation["type"] == "Annotation"
    for annotation in spans:
        quote, position = annotation["target"]["selector"]
        text = texts[annotation["target"]["source"]]
        assert quote["type"] == "TextQuoteSelector"
        assert position["type"] == "TextPositionSelector"
        assert text[position["start"] : position["end"]] == quote["exact"]
        assert text[: position["start"]].endswith(quote["prefix"])
        assert text[position["end"] :].startswith(quote["suffix"])
        assert annotation["body"][0] == {
            "type": "TextualBody",
            "purpose": "tagging",
            "value": annotation["body"][0]["value"],
        }
        assert annotation["creator"]["nickname"] in {"alice", "bob"}
    for link in links:
        assert all(target in ids for target in link["target"])


def test_claimreview_carries_googles_required_fields(data: dict[str, Any]) -> None:
    reviews = json.loads(export(data["project"], "claimreview"))
    assert len(reviews) == 2
    review = reviews[0]
    assert review["@context"] == "https://schema.org"
    assert review["@type"] == "ClaimReview"
    assert review["claimReviewed"] == ("the agency mishandled intelligence on the Spın̈al pipeline")
    assert review["url"] == "https://check.example.org/fc/0"
    assert review["reviewRating"] == {
        "@type": "Rating",
        "alternateName": "Mostly false",
        "ratingValue": 2,
        "bestRating": 5,
        "worstRating": 1,
    }
    assert review["author"] == {
        "@type": "Organization",
        "name": "Check Desk",
        "url": "https://check.example.org",
        "logo": {"@type": "ImageObject", "url": "https://check.example.org/logo.png"},
    }
    assert review["datePublished"] == "2024-03-07"
    claim = review["itemReviewed"]
    assert claim["@type"] == "Claim"
    assert claim["author"] == {"@type": "Person", "name": "Two former officials"}
    assert claim["appearance"]["url"] == "https://news.example.org/0"
    assert claim["appearance"]["headline"] == "Article 0"


def test_claimreview_of_a_project_without_verdicts_is_an_empty_list_and_says_so(
    data: dict[str, Any],
) -> None:
    project = fresh_project(data, "Nothing reviewed")
    job = run(
        export_job_create(project=project, actor=data["adam"], format="claimreview", options={})
    )
    assert job.status == "done"
    assert json.loads(media_path(job.result_file).read_text()) == []
    assert job.report["warnings"] == [
        "The selection has no gold claim with a verdict on an accepted document, so the file "
        "is an empty list."
    ]


def test_a_verdict_with_an_unrated_name_has_no_rating_value(data: dict[str, Any]) -> None:
    from annotations.models import Verdict

    Verdict.objects.update(rating="Unverifiable", fact_check_url="")
    reviews = json.loads(export(data["project"], "claimreview"))
    assert reviews[0]["reviewRating"] == {"@type": "Rating", "alternateName": "Unverifiable"}
    assert "url" not in reviews[0]


def test_csv_is_one_span_a_row_and_neutralises_formulas(data: dict[str, Any]) -> None:
    document = data["documents"][0]
    document.title = "=cmd|' /C calc'!A0"
    document.save()
    Assignment.objects.filter(annotator=data["alice"]).first().spans.filter(  # type: ignore[union-attr]
        label="attribution"
    ).update(attributes={"speaker_name": "+1 555 0100", "source_type": "anonymous"})
    rows = list(csv.DictReader(io.StringIO(export(data["project"], "csv", layer="all").decode())))
    assert len(rows) == 2 * 2 * 3
    first = rows[0]
    assert first["document_title"] == "'=cmd|' /C calc'!A0"
    notes = {row["note"] for row in rows if row["label"] == "denial"}
    assert notes == {'\'=HYPERLINK("http://evil")'}
    assert "'+1 555 0100" in {row["attributes.speaker_name"] for row in rows}
    for row in rows:
        for value in row.values():
            assert not re.match(r"^[=+\-@\t\r]", value), value
    claim = next(row for row in rows if row["label"] == "claim")
    assert claim["relations"].startswith("attributed_to:")


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "＝1"])
def test_every_formula_start_is_neutralised(cell: str) -> None:
    from annotations.exporters.tabular import neutralise

    assert neutralise(cell) == "'" + cell
    assert neutralise("plain") == "plain"
    assert neutralise(12) == 12


def test_conll_tags_tokens_with_bio_per_label(data: dict[str, Any]) -> None:
    text = export(data["project"], "conll", layer="alice").decode()
    block = text.split("\n\n\n")[0] if "\n\n\n" in text else text
    rows = [line.split("\t") for line in block.splitlines() if line and not line.startswith("#")]
    assert "# columns = TOKEN START END claim denial attribution cue" in text
    tagged = [(r[0], r[4]) for r in rows if r[3] != "O" or r[4] != "O"]
    assert ("unfounded", "B-denial") in tagged
    claim = [r[0] for r in rows if r[3] != "O"]
    assert claim[0] == "the"
    assert "Spın̈al" in claim
    assert [r[3] for r in rows if r[3] != "O"][:2] == ["B-claim", "I-claim"]
    emoji = [r for r in rows if r[0] == "😷"]
    assert emoji


def test_the_conll_tokenizer_keeps_graphemes_and_inner_apostrophes() -> None:
    from annotations.exporters.conll import tokenize

    text = "Don't say COVID-19 is 👩‍👩‍👧 n̈ot पानी."
    assert [text[a:b] for a, b in tokenize(text)] == [
        "Don't",
        "say",
        "COVID-19",
        "is",
        "👩‍👩‍👧",
        "n̈ot",
        "पानी",
        ".",
    ]


def test_layers_filters_and_pseudonyms(data: dict[str, Any]) -> None:
    project = data["project"]
    rows = lines(export(project, "jsonl", layer="bob", pseudonymize=True))
    names = {layer["annotator"] for row in rows for layer in row["layers"]}
    assert names == {pseudonym(project.pk, data["bob"].pk)}
    assert names == {pseudonym(project.pk, data["bob"].pk)}  # stable
    assert lines(export(project, "jsonl", layer="all", statuses=["open"])) == []
    assert (
        len(
            lines(
                export(
                    project,
                    "jsonl",
                    layer="gold",
                    date_field="published",
                    date_from="2024-03-05",
                    date_to="2024-03-05",
                )
            )
        )
        == 2
    )
    assert (
        lines(export(project, "jsonl", layer="gold", date_field="accepted", date_from="2024-03-08"))
        == []
    )
    Assignment.objects.filter(annotator=data["bob"]).update(status="in_progress")
    assert lines(export(project, "jsonl", layer="bob")) == []


@pytest.mark.parametrize(
    ("options", "field", "message"),
    [
        (
            {"layer": "zed"},
            "layer",
            "layer must be gold, all, preannotation or the username of an annotator of this "
            "project; “zed” has no assignment here.",
        ),
        (
            {"statuses": ["done"]},
            "statuses",
            "statuses may hold open, partially_submitted, submitted, in_review, accepted; “done” "
            "is not one.",
        ),
        (
            {"date_from": "yesterday"},
            "date_from",
            "date_from must be a date like 2024-05-31, not “yesterday”.",
        ),
        (
            {"date_from": "2024-02-01", "date_to": "2024-01-01"},
            "date_from",
            "date_from must not be after date_to.",
        ),
        (
            {"date_field": "edited"},
            "date_field",
            "date_field must be one of imported, published, accepted, not “edited”.",
        ),
    ],
)
def test_bad_export_options_name_the_field(
    data: dict[str, Any], options: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(Invalid) as refused:
        export_job_create(
            project=data["project"], actor=data["adam"], format="jsonl", options=options
        )
    assert (refused.value.field, refused.value.message) == (field, message)


@pytest.mark.parametrize("format", ["jsonl", "csv", "w3c", "brat", "conll", "labelstudio"])
def test_every_format_runs_as_a_job_to_a_file(data: dict[str, Any], format: str) -> None:
    job = run(
        export_job_create(
            project=data["project"], actor=data["adam"], format=format, options={"layer": "all"}
        )
    )
    assert job.status == "done", job.errors
    path = media_path(job.result_file)
    assert path.exists()
    assert job.report["documents"] == 2
    assert job.report["spans"] == 12
    assert job.progress == job.total == 2
    assert job.expires_at is not None
    assert not list(Path(path.parent).glob("*.partial-*"))
