from typing import Any

from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


def paginated_response(request: Request, items: Any, serializer: type[BaseSerializer]) -> Response:
    """The page of `items` the request asks for, each shown by `serializer`."""
    paginator = Pagination()
    page: list[Any] | None = paginator.paginate_queryset(items, request)
    return paginator.get_paginated_response(serializer(page, many=True).data)
