"""factory_boy factories for the data model."""

from typing import Any

import factory
from django.contrib.auth import get_user_model

from annotations import models
from annotations.schema import default_rating_scale, default_schema
from annotations.text import normalize_text, text_hash

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(obj: Any, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            obj.save()


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Project

    name = factory.Sequence(lambda n: f"Project {n}")
    label_schema = factory.LazyFunction(default_schema)
    rating_scale = factory.LazyFunction(default_rating_scale)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Membership

    project = factory.SubFactory(ProjectFactory)
    user = factory.SubFactory(UserFactory)
    role = models.Role.ANNOTATOR


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Document

    project = factory.SubFactory(ProjectFactory)
    title = factory.Sequence(lambda n: f"Article {n}")
    text = "The minister said unemployment fell. A spokesman called that false."
    text_hash = factory.LazyAttribute(lambda d: text_hash(normalize_text(d.text)))


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Assignment

    document = factory.SubFactory(DocumentFactory)
    annotator = factory.SubFactory(UserFactory)


class SpanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Span

    assignment = factory.SubFactory(AssignmentFactory)
    label = "claim"
    start = 0
    end = 12
    quote = factory.LazyAttribute(lambda s: s.assignment.document.text[s.start : s.end])
