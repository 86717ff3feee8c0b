"""Annotator quality: each annotator's span F1 against gold, on accepted documents only."""

from typing import Any

import pytest

from annotations.models import Document
from tests.conftest import assert_error
from tests.review.conftest import CLAIM_LONGER, DENIAL, Newsroom, key

pytestmark = pytest.mark.django_db


def test_f1_against_gold_exact_and_overlap_per_label(
    newsroom: Newsroom, disputed: Document, api: Any
) -> None:
    url = f"/api/projects/{newsroom.project.pk}/quality/"
    editor = api(newsroom.editor)
    assert editor.get(url).json() == {
        "project": newsroom.project.pk,
        "documents": 0,
        "annotators": [],
    }
    editor.post(
        f"/api/documents/{disputed.pk}/gold/merge/", {"strategy": "majority"}, format="json"
    )
    editor.post(
        f"/api/documents/{disputed.pk}/gold/decisions/",
        {"candidate": key("claim", CLAIM_LONGER), "decision": "rejected"},
        format="json",
    )
    editor.post(
        f"/api/documents/{disputed.pk}/gold/decisions/",
        {"candidate": key("denial", DENIAL), "decision": "rejected"},
        format="json",
    )
    assert editor.get(url).json()["documents"] == 0  # gold is not final yet
    editor.post(f"/api/documents/{disputed.pk}/accept/", {}, format="json")
    data = editor.get(url).json()
    assert data["documents"] == 1
    by_name = {a["username"]: a for a in data["annotators"]}
    # Gold: the claim and the source. alice also marked a denial; carol's claim is longer.
    assert by_name["bob"]["f1_exact"] == 1.0
    assert by_name["alice"]["f1_exact"] == pytest.approx(2 * 2 / (3 + 2))
    assert by_name["alice"]["by_label"]["denial"] == {
        "spans": 1,
        "gold": 0,
        "f1_exact": 0.0,
        "f1_overlap": 0.0,
    }
    carol = by_name["carol"]
    assert carol["by_label"]["claim"]["f1_exact"] == 0.0
    assert carol["by_label"]["claim"]["f1_overlap"] == 1.0  # the boundary differs by one dot
    assert carol["by_label"]["attribution"]["f1_exact"] == 1.0
    assert (carol["f1_exact"], carol["f1_overlap"], carol["documents"]) == (0.5, 1.0, 1)


def test_annotators_and_outsiders_get_404(newsroom: Newsroom, api: Any) -> None:
    url = f"/api/projects/{newsroom.project.pk}/quality/"
    assert_error(api(newsroom.annotators[0]).get(url), 404, "not_found")
    assert_error(api(newsroom.outsider).get(url), 404, "not_found")
