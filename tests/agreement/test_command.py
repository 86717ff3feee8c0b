"""`manage.py agreement`: a thin shell around annotations.agreement.io."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

ROOT = Path(__file__).resolve().parents[2]
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


def manage_py(*args: str) -> subprocess.CompletedProcess[str]:
    """``manage.py agreement`` as a process, with settings that cannot be loaded: the command
    must not need Django set up (that was most of its start-up time)."""
    return subprocess.run(
        [sys.executable, "manage.py", "agreement", *args],
        cwd=ROOT,
        env=os.environ | {"DJANGO_SETTINGS_MODULE": "no.such.settings"},
        capture_output=True,
        text=True,
        check=False,
    )


def test_manage_py_prints_figures_without_setting_django_up(tmp_path: Path) -> None:
    path = tmp_path / "spans.json"
    path.write_text(json.dumps(SPANS))
    result = manage_py(str(path), "--indent", "0")
    assert (result.returncode, result.stderr) == (0, "")
    assert json.loads(result.stdout)["documents"]["d1"]["f1_exact"] == 1.0


def test_manage_py_reports_bad_input_on_standard_error_with_status_1(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    bad = json.loads(json.dumps(SPANS))
    bad["documents"][0]["spans"][1]["end"] = 3001
    path.write_text(json.dumps(bad))
    result = manage_py(str(path))
    assert result.returncode == 1
    assert result.stderr == (
        f"CommandError: {path}: documents[0].spans[1].end: must be <= length (3000)\n"
    )
    assert result.stdout == ""
