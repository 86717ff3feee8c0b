"""`manage.py agreement`: a thin shell around annotations.agreement.io."""

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

SPANS = {
    "kind": "spans",
    "documents": [
        {
            "id": "d1",
            "length": 3000,
            "annotators": ["alice", "bob"],
            "spans": [
                {"annotator": "alice", "start": 0, "end": 12, "label": "claim"},
                {"annotator": "bob", "start": 0, "end": 12, "label": "claim"},
            ],
        }
    ],
}


def run(*args: str) -> dict:
    out = io.StringIO()
    call_command("agreement", *args, stdout=out)
    return json.loads(out.getvalue())


def test_prints_figures_for_a_file(tmp_path: Path) -> None:
    path = tmp_path / "spans.json"
    path.write_text(json.dumps(SPANS))
    output = run(str(path))
    assert output["u_alpha"] == 1.0
    assert output["documents"]["d1"]["f1_exact"] == 1.0
    assert output["document_count"] == 1


def test_reads_standard_input(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO('{"kind": "coding", "data": [[1, 2], [1, 2]]}'))
    output = run("-", "--indent", "0")
    assert output["percent_agreement"] == 1.0
    assert output["alpha"] == 1.0


def test_bad_input_is_a_command_error_naming_the_field(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    bad = json.loads(json.dumps(SPANS))
    bad["documents"][0]["spans"][1]["end"] = 3001
    path.write_text(json.dumps(bad))
    with pytest.raises(CommandError) as error:
        run(str(path))
    assert str(error.value) == f"{path}: documents[0].spans[1].end: must be <= length (3000)"


def test_a_missing_file_is_a_command_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="cannot read it"):
        run(str(tmp_path / "missing.json"))
