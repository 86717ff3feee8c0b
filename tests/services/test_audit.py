"""Audit events: one row per write, stored as the ORM would store it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from annotations.models import AuditEvent
from annotations.services.audit import audit_record
from tests.factories import ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_an_event_stores_who_what_and_the_state_before_and_after() -> None:
    actor, project = UserFactory(), ProjectFactory()
    before = {"label": "claim", "quote": "«Ça a baissé» 😀", "attributes": {"n": [1, None]}}
    began = timezone.now()
    audit_record(
        actor=actor,
        project=project,
        action="span.update",
        object_type="span",
        object_id=7,
        before=before,
        after={**before, "label": "denial"},
    )
    event = AuditEvent.objects.get()
    assert (event.actor, event.project, event.action, event.object_type, event.object_id) == (
        actor,
        project,
        "span.update",
        "span",
        7,
    )
    assert event.before == before
    assert event.after == {**before, "label": "denial"}
    assert began <= event.created_at <= timezone.now() + timedelta(seconds=1)


def test_a_missing_state_or_actor_is_sql_null_not_json_null() -> None:
    audit_record(actor=None, project=None, action="job.expire", object_type="job", object_id=None)
    assert AuditEvent.objects.filter(
        actor__isnull=True,
        project__isnull=True,
        object_id__isnull=True,
        before__isnull=True,
        after__isnull=True,
    ).exists()
