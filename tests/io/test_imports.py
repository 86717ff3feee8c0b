"""Import: every format, every bad input with its message, duplicates, the pre-annotation
layer, offsets counted on un-normalised text, limits, zip bombs and binary files."""

import io
import json
import zipfile
from typing import Any

import pytest

from annotations.errors import Invalid
from annotations.models import Assignment, AssignmentKind, Document, Job, Role
from annotations.services.imports import import_job_create
from tests.factories import MembershipFactory, ProjectFactory, UserFactory
from tests.io.builders import HTML
from tests.io.conftest import run, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def project() -> Any:
    project = ProjectFactory(name="Imports", annotators_per_document=2)
    admin = UserFactory(username="adam")
    MembershipFactory(project=project, user=admin, role=Role.ADMIN)
    for name in ("alice", "bob", "carol"):
        MembershipFactory(project=project, user=UserFactory(username=name), role=Role.ANNOTATOR)
    project.admin = admin
    return project


def imported(project: Any, *files: Any, urls: str = "", **options: Any) -> Job:
    job = import_job_create(
        project=project, actor=project.admin, uploads=files, urls=urls, **options
    )
    return run(job)


def messages(job: Job) -> list[str]:
    return [e["message"] for e in job.errors]


def warnings_of(job: Job) -> list[str]:
    return [w["message"] for w in job.report["warning_rows"]]


def test_a_text_file_is_one_article_whose_first_line_is_the_title(project: Any) -> None:
    job = imported(project, upload("a.txt", "Minister claims record\r\nUnemployment fell.\r\n"))
    assert job.status == "done"
    assert job.report["imported"] == 1
    document = Document.objects.get(project=project)
    assert document.title == "Minister claims record"
    assert document.text == "Unemployment fell.\n"
    assert document.metadata["_import"]["job"] == job.pk
    assert document.retrieved_from == "a.txt"


def test_imported_documents_are_assigned_to_the_least_loaded_annotators(project: Any) -> None:
    lines = "\n".join(json.dumps({"text": f"Article number {i}."}) for i in range(3))
    imported(project, upload("a.jsonl", lines))
    counts = sorted(
        Assignment.objects.filter(kind=AssignmentKind.ANNOTATOR).values_list(
            "annotator__username", flat=True
        )
    )
    assert counts == ["alice", "alice", "bob", "bob", "carol", "carol"]


def test_jsonl_spans_go_into_the_preannotation_layer_never_an_annotators(project: Any) -> None:
    text = "The minister said unemployment fell. A spokesman called that false."
    row = {
        "text": text,
        "title": "Jobs",
        "url": "https://news.example.org/jobs",
        "published_at": "2024-05-01",
        "outlet": "Example",
        "desk": "economy",
        "spans": [
            {
                "id": "c",
                "label": "claim",
                "start": 18,
                "end": 35,
                "quote": "unemployment fell",
                "attributes": {"check_worthiness": "check_worthy"},
            },
            {"id": "d", "label": "denial", "start": 61, "end": 66, "quote": "false"},
        ],
        "relations": [{"type": "denies", "from": "d", "to": "c"}],
    }
    job = imported(project, upload("rows.jsonl", json.dumps(row) + "\n"))
    assert job.report["spans"] == 2
    assert job.report["relations"] == 1
    document = Document.objects.get(project=project)
    assert (document.source_url, document.outlet, str(document.published_at)) == (
        "https://news.example.org/jobs",
        "Example",
        "2024-05-01",
    )
    assert document.metadata["desk"] == "economy"
    layer = Assignment.objects.get(document=document, kind=AssignmentKind.PREANNOTATION)
    assert layer.annotator is None
    assert [(s.label, s.quote, s.attributes) for s in layer.spans.all()] == [
        ("claim", "unemployment fell", {"check_worthiness": "check_worthy"}),
        ("denial", "false", {}),
    ]
    assert layer.relations.get().type == "denies"
    for assignment in Assignment.objects.filter(kind=AssignmentKind.ANNOTATOR):
        assert not assignment.spans.exists()


def test_offsets_counted_on_the_raw_text_are_moved_through_normalisation(project: Any) -> None:
    raw = "Cafe\u0301 owner said:\r\nthe water 😷 is unsafe.\r\nOfficials denied it."
    quote = "the water 😷 is unsafe"
    start = raw.index(quote)
    row = {
        "text": raw,
        "spans": [
            {"label": "claim", "start": start, "end": start + len(quote), "quote": quote},
            {"label": "claim", "start": 0, "end": 4, "quote": "Cafe"},
        ],
    }
    job = imported(project, upload("rows.jsonl", json.dumps(row)))
    document = Document.objects.get(project=project)
    assert document.text == "Café owner said:\nthe water 😷 is unsafe.\nOfficials denied it."
    span = Assignment.objects.get(kind=AssignmentKind.PREANNOTATION).spans.get()
    assert document.text[span.start : span.end] == quote
    assert (span.start, span.end) == (17, 38)
    assert warnings_of(job) == [
        "rows.jsonl, line 1: span 2 (claim [0, 4)): the quote “Cafe” no longer matches the "
        "text after normalisation (NFC, \\n line endings): the text there is now “Café”; "
        "skipped."
    ]


def test_a_span_whose_quote_does_not_match_is_reported_and_the_article_kept(project: Any) -> None:
    row = {
        "text": "The minister said unemployment fell.",
        "spans": [
            {"label": "claim", "start": 18, "end": 35, "quote": "employment fell"},
            {"label": "verdict", "start": 0, "end": 3},
            {"label": "claim", "start": 30, "end": 99},
        ],
    }
    job = imported(project, upload("rows.jsonl", json.dumps(row)))
    assert job.report["imported"] == 1
    assert warnings_of(job) == [
        "rows.jsonl, line 1: span 1 (claim [18, 35)): the text at [18, 35) is “unemployment "
        "fell” but the span's quote is “employment fell”; skipped.",
        "rows.jsonl, line 1: span 2 (verdict [0, 3)): “verdict” is not a label of this project "
        "(allowed: claim, denial, attribution); skipped.",
        "rows.jsonl, line 1: span 3 (claim [30, 99)): [30, 99) is not inside the text, which "
        "has 36 characters; skipped.",
    ]


def test_one_bad_row_is_reported_with_its_line_while_the_good_ones_import(project: Any) -> None:
    content = "\n".join(
        [
            json.dumps({"text": "First article."}),
            "{not json",
            json.dumps({"title": "no text"}),
            "",
            json.dumps(["a", "list"]),
            json.dumps({"text": "Fifth article."}),
        ]
    )
    job = imported(project, upload("rows.jsonl", content))
    assert job.status == "done"
    assert job.report["imported"] == 2
    assert job.report["errors"] == 3
    assert messages(job) == [
        "rows.jsonl, line 2: is not valid JSON (Expecting property name enclosed in double "
        "quotes at column 2).",
        "rows.jsonl, line 3: has no “text” field with the article (a non-empty string).",
        "rows.jsonl, line 5: is not a JSON object with a “text” field.",
    ]
    assert [e["line"] for e in job.errors] == [2, 3, 5]


def test_duplicates_are_detected_by_text_hash_and_reported(project: Any) -> None:
    first = imported(project, upload("a.txt", "Title\nSame text.\n"))
    document = Document.objects.get(project=project)
    content = "\n".join(json.dumps({"text": t}) for t in ("Same text.\n", "Other.", "Other."))
    job = imported(project, upload("b.jsonl", content))
    assert first.report["imported"] == 1
    assert job.report["imported"] == 1
    assert job.report["duplicates"] == 2
    assert [d["message"] for d in job.report["duplicate_rows"]] == [
        f"b.jsonl, line 1: the same text as document {document.pk} “Title”; skipped.",
        "b.jsonl, line 3: the same text as b.jsonl, line 2; skipped.",
    ]


def test_csv_rows_import_with_metadata_and_bad_rows_are_reported(project: Any) -> None:
    content = (
        "title,text,url,date,desk\r\n"
        'One,"First article,\r\nwith a line break.",https://example.org/1,2024-01-02,metro\r\n'
        "Two,,https://example.org/2,2024-01-03,metro\r\n"
        "Three,Third article.,not a url,yesterday,sport,extra\r\n"
        "Four,Fourth article.,not a url,yesterday,sport\r\n"
    )
    job = imported(project, upload("a.csv", content))
    assert job.report["imported"] == 2
    assert messages(job) == [
        "a.csv, line 4: has no “text” field with the article (a non-empty string).",
        "a.csv, line 5: has 6 fields; the header has 5.",
    ]
    assert warnings_of(job) == [
        "a.csv, line 6: the date “yesterday” is not YYYY-MM-DD; left empty.",
        "a.csv, line 6: “not a url” is not an http(s) URL; left empty.",
    ]
    first = Document.objects.get(title="One")
    assert first.text == "First article,\nwith a line break."
    assert first.metadata["desk"] == "metro"


@pytest.mark.parametrize("name", ["a.tsv", "A.TSV"])
def test_a_tsv_file_is_split_on_tabs_whatever_the_case_of_its_extension(
    project: Any, name: str
) -> None:
    # One column: the header alone cannot tell tabs from commas, only the extension can.
    content = "text\nFirst article, with a comma.\nSecond article, with another.\n"
    job = imported(project, upload(name, content))
    assert (job.status, messages(job), job.report["imported"]) == ("done", [], 2)
    assert sorted(Document.objects.values_list("text", flat=True)) == [
        "First article, with a comma.",
        "Second article, with another.",
    ]


def test_a_csv_without_a_text_column_is_refused_with_a_message(project: Any) -> None:
    job = imported(project, upload("a.csv", "title;body2\nx;y\n"))
    assert messages(job) == [
        "a.csv: the header has no “text” column (found: title, body2); name the column with "
        "the article “text”."
    ]


def test_html_keeps_the_main_text_and_its_metadata(project: Any) -> None:
    job = imported(project, upload("page.html", HTML))
    assert job.report["imported"] == 1
    document = Document.objects.get(project=project)
    assert document.title == "Minister claims jobs record"
    assert document.author == "Jane Roe"
    assert document.outlet == "Example News"
    assert str(document.published_at) == "2024-03-05"
    assert document.source_url == "https://news.example.org/a/1"
    assert "lowest level ever recorded" in document.text
    assert "Copyright" not in document.text


def test_html_without_article_text_is_reported(project: Any) -> None:
    job = imported(project, upload("empty.html", "<html><head><title>x</title></head></html>"))
    assert messages(job) == ["empty.html: no article text was found in this HTML page."]


def test_doccano_jsonl_with_label_triples_and_with_entities(project: Any) -> None:
    text = "The mayor said the water is safe. Critics called it false."
    rows = [
        {"text": text, "label": [[19, 32, "Claim"], [52, 57, "denial"]]},
        {
            "text": text + " Again.",
            "entities": [
                {"id": 7, "start_offset": 19, "end_offset": 32, "label": "claim"},
                {"id": 8, "start_offset": 52, "end_offset": 57, "label": "denial"},
            ],
            "relations": [{"id": 1, "from_id": 8, "to_id": 7, "type": "denies"}],
        },
    ]
    job = imported(project, upload("doccano.jsonl", "\n".join(json.dumps(r) for r in rows)))
    assert job.report["spans"] == 4
    assert job.report["relations"] == 1
    quotes = sorted(
        (s.label, s.quote)
        for layer in Assignment.objects.filter(kind=AssignmentKind.PREANNOTATION)
        for s in layer.spans.all()
    )
    assert quotes == [
        ("claim", "water is safe"),
        ("claim", "water is safe"),
        ("denial", "false"),
        ("denial", "false"),
    ]


def test_label_studio_tasks_with_predictions_attributes_and_utf16_offsets(project: Any) -> None:
    text = "😷 The mayor said the water is safe."
    tasks = [
        {
            "id": 41,
            "data": {"text": text, "title": "Water"},
            "predictions": [
                {
                    "result": [
                        # An old Label Studio counted UTF-16 units: the emoji counts two.
                        {
                            "id": "r1",
                            "from_name": "label",
                            "to_name": "text",
                            "type": "labels",
                            "value": {
                                "start": 22,
                                "end": 36,
                                "text": "water is safe.",
                                "labels": ["claim"],
                            },
                        },
                        {
                            "id": "r1",
                            "from_name": "check_worthiness",
                            "to_name": "text",
                            "type": "choices",
                            "value": {"start": 22, "end": 36, "choices": ["check_worthy"]},
                        },
                        {
                            "id": "r2",
                            "from_name": "label",
                            "to_name": "text",
                            "type": "labels",
                            "value": {
                                "start": 3,
                                "end": 12,
                                "text": "The mayor",
                                "labels": ["attribution"],
                            },
                        },
                        {
                            "from_id": "r1",
                            "to_id": "r2",
                            "type": "relation",
                            "labels": ["attributed_to"],
                        },
                    ]
                }
            ],
        },
        {"data": {"body": ""}},
    ]
    job = imported(project, upload("tasks.json", json.dumps(tasks)))
    assert job.report["imported"] == 1
    assert messages(job) == ["tasks.json, task 2: has no text in “data” (data.text)."]
    layer = Assignment.objects.get(kind=AssignmentKind.PREANNOTATION)
    claim = layer.spans.get(label="claim")
    assert (claim.start, claim.end, claim.quote) == (21, 35, "water is safe.")
    assert claim.attributes == {"check_worthiness": "check_worthy"}
    assert layer.relations.get().to_span.quote == "The mayor"
    assert layer.document.metadata["source_id"] == 41


def test_a_label_studio_result_whose_value_is_not_an_object_is_ignored(project: Any) -> None:
    region = {"start": 0, "end": 9, "text": "The mayor", "labels": ["attribution"]}
    results = [
        {"id": "r1", "type": "labels", "value": region},
        {"id": "r1", "from_name": "check_worthiness", "type": "choices", "value": ["x"]},
    ]
    tasks = [{"data": {"text": "The mayor said so."}, "predictions": [{"result": results}]}]
    job = imported(project, upload("tasks.json", json.dumps(tasks)))
    assert (job.status, job.errors, job.report["imported"]) == ("done", [], 1)
    span = Assignment.objects.get(kind=AssignmentKind.PREANNOTATION).spans.get()
    assert (span.quote, span.attributes) == ("The mayor", {})


def test_label_studio_relation_labels_may_be_a_string_and_are_skipped_if_unreadable(
    project: Any,
) -> None:
    text = "The mayor said the water is safe."
    results = [
        {"id": "r1", "type": "labels", "value": {"start": 18, "end": 33, "labels": ["claim"]}},
        {"id": "r2", "type": "labels", "value": {"start": 0, "end": 9, "labels": ["attribution"]}},
        {"from_id": "r1", "to_id": "r2", "type": "relation", "labels": "attributed_to"},
        {"from_id": "r1", "to_id": "r2", "type": "relation", "labels": {"x": 1}},
    ]
    tasks = [{"data": {"text": text}, "predictions": [{"result": results}]}]
    job = imported(project, upload("tasks.json", json.dumps(tasks)))
    assert (job.status, job.report["imported"], job.report["relations"]) == ("done", 1, 1)
    assert warnings_of(job) == ["tasks.json, task 1: a relation has no label; skipped."]
    relation = Assignment.objects.get(kind=AssignmentKind.PREANNOTATION).relations.get()
    assert (relation.type, relation.to_span.quote) == ("attributed_to", "The mayor")


def test_a_zip_of_articles_is_read_member_by_member(project: Any) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("one.txt", "One\nFirst text.")
        archive.writestr("sub/two.txt", "Two\nSecond text.")
        archive.writestr("__MACOSX/._one.txt", "junk")
        archive.writestr("notes.pdf", "%PDF-1.4")
    job = imported(project, upload("articles.zip", buffer.getvalue()))
    assert job.report["imported"] == 2
    assert messages(job) == [
        "articles.zip/notes.pdf: cannot tell its format from its name; it was skipped."
    ]


def test_a_zip_bomb_is_refused_before_anything_is_read(project: Any, settings: Any) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("bomb.txt", "0" * 20_000_000)
    with pytest.raises(Invalid) as refused:
        import_job_create(
            project=project, actor=project.admin, uploads=[upload("bomb.zip", buffer.getvalue())]
        )
    assert refused.value.code == "zip_bomb"
    assert refused.value.message.startswith("“bomb.zip” member “bomb.txt” is compressed ")
    assert refused.value.message.endswith(
        "to 1 (the limit is 100 to 1); it looks like a zip bomb and was not opened."
    )
    settings.IMPORT_MAX_ARCHIVE_BYTES = 1_000_000
    with pytest.raises(Invalid) as too_big:
        import_job_create(
            project=project, actor=project.admin, uploads=[upload("bomb.zip", buffer.getvalue())]
        )
    assert too_big.value.message == (
        "“bomb.zip” would expand to 20.0 MB, more than the 1.0 MB an import may unpack; it "
        "looks like a zip bomb and was not opened."
    )
    assert not Job.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "code", "message"),
    [
        (
            "scan.txt",
            b"%PDF-1.7\n...",
            "binary_file",
            "“scan.txt” is a PDF document, not text. Import .txt, .jsonl, .csv, .html, .json "
            "(Label Studio) or a .zip of them.",
        ),
        (
            "data.jsonl",
            b"\x00\x01\x02binary",
            "binary_file",
            "“data.jsonl” is a binary file (it contains NUL bytes), not text. Import .txt, "
            ".jsonl, .csv, .html, .json (Label Studio) or a .zip of them.",
        ),
        (
            "report.docx",
            b"PK\x03\x04rest",
            "unsupported_file",
            "“report.docx” is an office document; save it as text (.txt, .csv or .html) and "
            "import that.",
        ),
        (
            "notes.md",
            b"# Notes",
            "unknown_format",
            "Cannot tell the format of “notes.md” from its name; import .txt, .jsonl, .csv, "
            ".html, .json (Label Studio) or a .zip of them, or choose the format.",
        ),
        ("empty.txt", b"", "empty_file", "“empty.txt” is empty."),
        (
            "broken.zip",
            b"PK\x03\x04 not really",
            "bad_archive",
            "“broken.zip” is not a readable zip archive (File is not a zip file).",
        ),
    ],
)
def test_unusable_files_are_refused_with_a_message(
    project: Any, name: str, content: bytes, code: str, message: str
) -> None:
    with pytest.raises(Invalid) as refused:
        import_job_create(project=project, actor=project.admin, uploads=[upload(name, content)])
    assert (refused.value.code, refused.value.message, refused.value.field) == (
        code,
        message,
        "file",
    )


def test_a_file_over_the_size_limit_is_refused(project: Any, settings: Any) -> None:
    settings.UPLOAD_MAX_BYTES = 10
    with pytest.raises(Invalid) as refused:
        import_job_create(
            project=project, actor=project.admin, uploads=[upload("a.txt", "Title\n" + "x" * 20)]
        )
    assert refused.value.message == (
        "“a.txt” has 26 bytes; an import file may have at most 10 bytes (UPLOAD_MAX_BYTES). "
        "Split it, or zip it."
    )


def test_more_rows_than_the_limit_fail_the_job_before_anything_is_stored(
    project: Any, settings: Any
) -> None:
    settings.IMPORT_MAX_ROWS = 2
    content = "\n".join(json.dumps({"text": f"Article {i}."}) for i in range(3))
    job = imported(project, upload("a.jsonl", content))
    assert job.status == "failed"
    assert messages(job) == [
        "The import has 3 rows; an import takes at most 2 (IMPORT_MAX_ROWS). Split the file."
    ]
    assert not Document.objects.exists()


def test_non_utf8_lines_are_reported(project: Any) -> None:
    content = json.dumps({"text": "Fine."}).encode() + b"\n" + b'{"text": "caf\xe9"}\n'
    job = imported(project, upload("a.jsonl", content))
    assert messages(job) == [
        "a.jsonl, line 2: is not UTF-8 (byte 0xe9 at position 13); save the file as UTF-8."
    ]


def test_a_native_export_line_imports_its_gold_layer(project: Any) -> None:
    line = {
        "id": 9,
        "title": "T",
        "text": "The mayor said the water is safe.",
        "status": "accepted",
        "layers": [
            {
                "kind": "annotator",
                "annotator": "alice",
                "spans": [
                    {"id": 1, "label": "claim", "start": 15, "end": 24, "quote": "the water"}
                ],
            },
            {
                "kind": "gold",
                "annotator": "erin",
                "spans": [
                    {"id": 2, "label": "claim", "start": 19, "end": 32, "quote": "water is safe"}
                ],
            },
        ],
    }
    job = imported(project, upload("export.jsonl", json.dumps(line)))
    assert warnings_of(job) == []
    layer = Assignment.objects.get(kind=AssignmentKind.PREANNOTATION)
    assert [(s.start, s.end) for s in layer.spans.all()] == [(19, 32)]


def test_a_restarted_import_does_not_store_twice_what_its_first_attempt_stored(
    project: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = "\n".join(json.dumps({"text": f"Article {i}."}) for i in range(3))
    job = import_job_create(
        project=project, actor=project.admin, uploads=[upload("a.jsonl", content)]
    )
    # As if the worker had died after storing, before marking the job done (its input files
    # are still there): the job runs again from scratch.
    monkeypatch.setattr("annotations.services.jobs._cleanup_inputs", lambda job: None)
    run(job)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.QUEUED)
    again = run(job)
    assert again.report["imported"] == 3
    assert again.report["duplicates"] == 0
    assert Document.objects.filter(project=project).count() == 3


def test_nothing_to_import_is_refused(project: Any) -> None:
    with pytest.raises(Invalid) as refused:
        import_job_create(project=project, actor=project.admin)
    assert refused.value.message == "Choose a file to upload or list some URLs."


def zip_of(**members: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name.replace("__", "/"), content)
    return buffer.getvalue()


def test_nested_encrypted_and_crowded_archives_are_refused(project: Any, settings: Any) -> None:
    def refusal(content: bytes) -> tuple[str, str]:
        with pytest.raises(Invalid) as refused:
            import_job_create(
                project=project, actor=project.admin, uploads=[upload("set.zip", content)]
            )
        return refused.value.code, refused.value.message

    assert refusal(zip_of(**{"inner.zip": b"PK\x03\x04"})) == (
        "nested_archive",
        "“set.zip” contains another archive, “inner.zip”; unpack it first.",
    )
    encrypted = bytearray(zip_of(**{"secret.txt": b"Title\nText"}))
    # zipfile cannot write encrypted members: set the flag in the central directory.
    encrypted[encrypted.rindex(b"PK\x01\x02") + 8] |= 0x1
    assert refusal(bytes(encrypted)) == (
        "encrypted_archive",
        "“set.zip” member “secret.txt” is encrypted; zip it without a password.",
    )
    settings.IMPORT_MAX_ARCHIVE_MEMBERS = 2
    assert refusal(zip_of(**{f"{n}.txt": b"T\nx" for n in range(3)})) == (
        "archive_too_large",
        "“set.zip” holds 3 files; an import takes at most 2.",
    )


def test_a_zip_member_whose_header_lies_about_its_size_is_refused(project: Any) -> None:
    body = b"Title\n" + b"word " * 400
    content = bytearray(zip_of(**{"a.txt": body}))
    # Make the central directory claim 10 bytes unpacked (a lying header).
    central = content.rindex(b"PK\x01\x02")
    content[central + 24 : central + 28] = (10).to_bytes(4, "little")
    with pytest.raises(Invalid) as refused:
        import_job_create(
            project=project, actor=project.admin, uploads=[upload("lying.zip", bytes(content))]
        )
    assert (refused.value.code, refused.value.message) == (
        "bad_archive",
        "“lying.zip” is a damaged zip archive (Bad CRC-32 for file 'a.txt').",
    )


def test_too_many_urls_are_refused(project: Any, settings: Any) -> None:
    settings.URL_IMPORT_MAX_URLS = 2
    with pytest.raises(Invalid) as refused:
        import_job_create(
            project=project,
            actor=project.admin,
            urls="http://a.example/1\nhttp://a.example/2\nhttp://a.example/3",
        )
    assert refused.value.message == (
        "The list has 3 URLs; an import takes at most 2 (URL_IMPORT_MAX_URLS)."
    )


def test_a_zip_member_damaged_past_its_first_bytes_fails_the_job_with_a_message(
    project: Any,
) -> None:
    # The upload check reads only a member's first bytes; the damage shows when the job
    # counts the member's rows, before a row is stored.
    lines = b"".join(json.dumps({"text": f"Article {i}."}).encode() + b"\n" for i in range(900))
    content = bytearray(zip_of(**{"a.jsonl": lines}))
    content[content.index(b"Article 800.")] ^= 0x20
    job = imported(project, upload("damaged.zip", bytes(content)))
    assert (job.status, job.errors) == (
        "failed",
        [
            {
                "code": "bad_archive",
                "message": "A zip archive is damaged (Bad CRC-32 for file 'a.jsonl'); nothing "
                "more was read.",
            }
        ],
    )
    assert not Document.objects.exists()
