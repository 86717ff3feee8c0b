"""import_articles and export_dataset: the same jobs from the terminal, with progress."""

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from annotations.management.progress import ProgressBar
from annotations.models import Document, Job
from tests.io.builders import annotated_project

pytestmark = pytest.mark.django_db


def test_import_articles_reports_what_it_did(tmp_path: Path, capsys: Any) -> None:
    data = annotated_project(documents=0)
    rows = tmp_path / "rows.jsonl"
    rows.write_text(
        json.dumps({"text": "First."}) + "\nnot json\n" + json.dumps({"text": "Second."}) + "\n"
    )
    page = tmp_path / "note.txt"
    page.write_text("A title\nThird article.\n")
    out = io.StringIO()
    call_command(
        "import_articles", "--project", str(data["project"].pk), str(rows), str(page), stdout=out
    )
    assert out.getvalue().strip() == (
        f"Import job {Job.objects.get().pk}: 3 imported, 0 duplicates skipped, 1 rows refused, "
        "0 pre-annotated spans, 0 relations."
    )
    err = capsys.readouterr().err
    assert "rows.jsonl, line 2: is not valid JSON" in err
    assert "importing [##############################] 100% 4/4" in err
    assert Document.objects.count() == 3
    assert Job.objects.get().options["inline"] is True
    assert rows.exists()


def test_import_articles_refuses_a_binary_file(tmp_path: Path) -> None:
    data = annotated_project(documents=0)
    scan = tmp_path / "scan.txt"
    scan.write_bytes(b"%PDF-1.5")
    with pytest.raises(CommandError) as refused:
        call_command("import_articles", "--project", str(data["project"].pk), str(scan))
    assert str(refused.value).startswith("“scan.txt” is a PDF document, not text.")


def test_export_dataset_writes_the_file_with_a_progress_bar(tmp_path: Path, capsys: Any) -> None:
    data = annotated_project()
    output = tmp_path / "gold.jsonl"
    out = io.StringIO()
    call_command(
        "export_dataset",
        "--project",
        str(data["project"].pk),
        "--format",
        "jsonl",
        "--layer",
        "gold",
        "--output",
        str(output),
        stdout=out,
    )
    assert out.getvalue().strip() == (
        f"Wrote {output}: 2 documents, 6 spans, 4 relations (gold layer, jsonl)."
    )
    assert len(output.read_text().splitlines()) == 2
    assert "exporting [##############################] 100% 2/2" in capsys.readouterr().err
    assert not list(tmp_path.glob(".*partial"))


def test_export_dataset_refuses_an_unknown_annotator(tmp_path: Path) -> None:
    data = annotated_project(documents=1)
    with pytest.raises(CommandError) as refused:
        call_command(
            "export_dataset",
            "--project",
            str(data["project"].pk),
            "--format",
            "csv",
            "--layer",
            "zed",
            "--output",
            str(tmp_path / "x.csv"),
        )
    assert str(refused.value) == (
        "layer must be gold, all, preannotation or the username of an annotator of this "
        "project; “zed” has no assignment here."
    )


def test_the_progress_bar_redraws_in_place_on_a_terminal() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen = Terminal()
    bar = ProgressBar("exporting", screen)
    bar(0, 4)
    bar(4, 4)
    bar.finish()
    assert screen.getvalue().endswith("\rexporting [##############################] 100% 4/4\n")
    assert "\n" not in screen.getvalue()[:-1]
