"""Output serializers that write their JSON directly say exactly what DRF's fields would."""

import uuid

import pytest
from rest_framework import serializers

from annotations.api.serializers import SpanOutputSerializer
from annotations.models import Assignment, AssignmentKind, Span
from tests.conftest import World
from tests.factories import SpanFactory


def field_by_field(span: Span) -> dict:
    """The representation DRF builds from the serializer's declared and model fields."""
    return dict(serializers.ModelSerializer.to_representation(SpanOutputSerializer(), span))


@pytest.mark.django_db
def test_a_span_is_written_as_its_declared_fields_would_write_it(world: World) -> None:
    span = SpanFactory(
        assignment=world.assignment,
        start=0,
        end=3,
        client_id=uuid.uuid4(),
        attributes={"check_worthiness": "check_worthy"},
        note="ünïcode “note”",
    )
    span = Span.objects.select_related("assignment__annotator").get(pk=span.pk)
    assert SpanOutputSerializer(span).data == field_by_field(span)
    assert SpanOutputSerializer([span, world.span], many=True).data == [
        field_by_field(span),
        field_by_field(Span.objects.get(pk=world.span.pk)),
    ]


@pytest.mark.django_db
def test_a_span_of_a_layer_without_annotator_has_a_null_annotator(world: World) -> None:
    layer = Assignment.objects.create(
        document=world.document, annotator=None, kind=AssignmentKind.PREANNOTATION
    )
    span = SpanFactory(assignment=layer, start=0, end=3)
    data = SpanOutputSerializer(span).data
    assert data["annotator"] is None
    assert data["client_id"] is None
    assert data == field_by_field(span)
