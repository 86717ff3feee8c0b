"""Django admin: a page for every model of the app; the audit trail cannot be edited there."""

from typing import Any

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from annotations.models import AuditEvent
from annotations.services.audit import audit_record
from tests.conftest import World

pytestmark = pytest.mark.django_db


def site_admin_client(world: World) -> Client:
    client = Client()
    client.force_login(world.site_admin)
    return client


def test_every_model_of_the_app_has_an_admin_list(world: World) -> None:
    client = site_admin_client(world)
    for model in apps.get_app_config("annotations").get_models():
        url = reverse(f"admin:annotations_{model._meta.model_name}_changelist")
        assert client.get(url).status_code == 200, model.__name__


def test_an_audit_event_is_shown_with_no_field_left_to_change(world: World) -> None:
    audit_record(
        actor=world.admin,
        project=world.project,
        action="project.update",
        object_type="project",
        object_id=world.project.pk,
        before={"name": "Old"},
        after={"name": "Newsroom"},
    )
    event = AuditEvent.objects.get(action="project.update")
    page: Any = site_admin_client(world).get(
        reverse("admin:annotations_auditevent_change", args=[event.pk])
    )
    assert page.status_code == 200
    assert list(page.context["adminform"].form.fields) == []
    assert "Newsroom" in page.content.decode()
