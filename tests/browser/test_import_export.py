"""An admin imports an HTML page and a JSONL file, watches the job's progress, exports the
pre-annotations as JSONL and downloads the file (issue 6, "What must be shown" §3)."""

import json
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from annotations.models import Document, Role
from tests.browser.conftest import sign_in
from tests.factories import MembershipFactory, ProjectFactory, UserFactory
from tests.io.builders import HTML
from tests.processes import child_env, process, worker_args

pytestmark = pytest.mark.browser

TEXT = "The minister said unemployment fell 😀 to 4.1 percent. A spokesman called that false."


@pytest.fixture
def desk(transactional_db: None) -> dict[str, Any]:
    project = ProjectFactory(name="Import desk")
    admin = UserFactory(username="adam")
    MembershipFactory(project=project, user=admin, role=Role.ADMIN)
    MembershipFactory(project=project, user=UserFactory(username="alice"), role=Role.ANNOTATOR)
    return {"project": project, "admin": admin}


def test_admin_imports_html_and_jsonl_watches_progress_exports_and_downloads(
    page: Page,
    context: BrowserContext,
    live_server: Any,
    desk: dict[str, Any],
    settings: Any,
    tmp_path: Path,
) -> None:
    claim = TEXT.index("unemployment fell 😀")
    rows = [
        {
            "text": TEXT,
            "title": "Jobs figures",
            "spans": [
                {
                    "id": "c",
                    "label": "claim",
                    "start": claim,
                    "end": claim + 19,
                    "quote": "unemployment fell 😀",
                },
                {
                    "id": "d",
                    "label": "denial",
                    "start": TEXT.index("false"),
                    "end": TEXT.index("false") + 5,
                    "quote": "false",
                },
            ],
            "relations": [{"type": "denies", "from": "d", "to": "c"}],
        },
        {"text": "A second article, without spans.", "title": "Second"},
    ]
    jsonl = tmp_path / "articles.jsonl"
    jsonl.write_text("\n".join(json.dumps(row, ensure_ascii=False) for row in rows) + "\n")
    html = tmp_path / "minister.html"
    html.write_text(HTML)
    project = desk["project"]
    sign_in(context, live_server, desk["admin"])
    env = child_env(MEDIA_ROOT=str(settings.MEDIA_ROOT))
    with process(worker_args(), env, tmp_path / "worker.log"):
        page.goto(f"{live_server.url}/projects/{project.pk}/import/")
        page.set_input_files("#import-file", [str(html), str(jsonl)])
        page.get_by_role("button", name="Import").click()
        job = page.locator("tr.job").first
        expect(job.locator("progress")).to_be_visible()
        expect(job.locator(".job-status")).to_have_text("done", timeout=30_000)
        expect(job.locator("progress")).to_have_attribute("value", "100")
        expect(job.locator(".import-summary")).to_have_text(
            "3 imported, 0 duplicates, 0 refused, 2 spans"
        )
        page.screenshot(path=str(tmp_path / "import.png"), full_page=True)

        page.get_by_role("link", name="Export").first.click()
        page.select_option("#export-format", "jsonl")
        page.select_option("#export-layer", "preannotation")
        page.get_by_role("button", name="Export").click()
        finished = page.locator("tr.job").first
        expect(finished.locator(".job-status")).to_have_text("done", timeout=30_000)
        with page.expect_download() as download_info:
            finished.get_by_role("link", name="Download").click()
        download = download_info.value
        saved = tmp_path / download.suggested_filename
        download.save_as(saved)

    assert download.suggested_filename.endswith(".jsonl")
    exported = [json.loads(line) for line in saved.read_text().splitlines()]
    assert [row["title"] for row in exported] == ["Jobs figures"]
    layer = exported[0]["layers"][0]
    assert layer["kind"] == "preannotation"
    assert sorted((s["label"], s["quote"]) for s in layer["spans"]) == [
        ("claim", "unemployment fell 😀"),
        ("denial", "false"),
    ]
    assert [r["type"] for r in layer["relations"]] == ["denies"]
    assert Document.objects.filter(project=project).count() == 3
    assert Document.objects.get(title="Minister claims jobs record").author == "Jane Roe"
