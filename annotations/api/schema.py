"""OpenAPI generation: component names that stay unique across views."""

from functools import cache

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import Direction, OpenApiParameter, inline_serializer
from rest_framework import serializers


class AutoSchema(SpectacularAutoSchema):
    """Name a view's nested serializer after its view ("SpanListApi.InputSerializer" becomes
    "SpanListInput"), so that every view's `InputSerializer` gets a component of its own
    instead of all of them sharing one schema, which made the OpenAPI document wrong."""

    def get_serializer_name(self, serializer: serializers.Serializer, direction: Direction) -> str:
        qualname = type(serializer).__qualname__
        if "." not in qualname:
            return super().get_serializer_name(serializer, direction)
        outer, _, inner = qualname.rpartition(".")
        return outer.removesuffix("Api").replace(".", "") + inner


PAGE_PARAMETERS = [
    OpenApiParameter("page", int, required=False, description="Page number, from 1."),
    OpenApiParameter("page_size", int, required=False, description="Items a page, up to 500."),
]


@cache
def paginated(serializer_class: type[serializers.Serializer]) -> serializers.Serializer:
    """The schema of one page of a list, as annotations.api.pagination.Pagination answers.

    Cached: two lists of the same items must share one component, not two of one name."""
    name = serializer_class.__name__.removesuffix("Serializer")
    return inline_serializer(
        f"Paginated{name}List",
        {
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": serializer_class(many=True),
        },
    )
