"""Pages of an API list, reached by an opaque cursor and a `next` link."""

from django.conf import settings
from django.core import signing
from django.http import QueryDict
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response

from .serializers import absolute

PAGE_SIZE = settings.INTERVENTIONS_PER_PAGE
MAX_PAGE_SIZE = 100
CURSOR_SALT = "api.pagination.cursor"
PAGE_SIZE_MESSAGE = f"Give a whole number from 1 to {MAX_PAGE_SIZE}; the default is {PAGE_SIZE}."
CURSOR_MESSAGE = (
    "This cursor was not made by this API, or was changed; follow the `next` link of the "
    "previous page, or leave `cursor` out for the first page."
)


class PositionPagination(BasePagination):
    """Pages by a cursor that holds the position of a page's first row, signed so that a
    made-up or altered one is refused rather than read.

    The sorts are the guidebook's own, expressions rather than columns, so the position is
    a count of rows, not a row's key. As on the guidebook, a page's rows are found by their
    ids first, which the sort indexes answer alone, and only those rows are then loaded: a
    deep page costs about what the first one does. One row more than the page is asked
    for, to know whether there is a next page, so no page counts the whole list."""

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.page_size = self.read_page_size(request)
        start = self.read_cursor(request)
        ids = list(queryset.values_list("pk", flat=True)[start : start + self.page_size + 1])
        self.next_start = start + self.page_size if len(ids) > self.page_size else None
        ids = ids[: self.page_size]
        found = queryset.in_bulk(ids)
        return [found[pk] for pk in ids]

    @staticmethod
    def read_page_size(request) -> int:
        value = request.query_params.get("page_size", "")
        if not value:
            return PAGE_SIZE
        if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= MAX_PAGE_SIZE:
            raise ValidationError({"page_size": [PAGE_SIZE_MESSAGE]})
        return int(value)

    @staticmethod
    def read_cursor(request) -> int:
        value = request.query_params.get("cursor", "")
        if not value:
            return 0
        try:
            start = signing.Signer(salt=CURSOR_SALT).unsign_object(value)
        except (signing.BadSignature, ValueError):
            raise ValidationError({"cursor": [CURSOR_MESSAGE]}) from None
        if not isinstance(start, int) or start < 0:
            raise ValidationError({"cursor": [CURSOR_MESSAGE]})
        return start

    def next_link(self) -> str | None:
        if self.next_start is None:
            return None
        # The query as the client wrote it (every parameter is known by now), with the
        # next page's cursor.
        query = QueryDict(self.request.META.get("QUERY_STRING", ""), mutable=True)
        query["cursor"] = signing.Signer(salt=CURSOR_SALT).sign_object(self.next_start)
        return absolute(f"{self.request.path}?{query.urlencode()}")

    def get_paginated_response(self, data):
        return Response({"next": self.next_link(), "results": data})

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["next", "results"],
            "properties": {
                "next": {
                    "type": "string",
                    "format": "uri",
                    "nullable": True,
                    "description": "The next page, as a full address; null on the last page.",
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        # Left empty, each is as if left out: the first page, of the default size.
        return [
            {
                "name": "cursor",
                "in": "query",
                "required": False,
                "allowEmptyValue": True,
                "description": "Where the page starts: take it from the previous page's `next` "
                "link, never make it up. Leave it out for the first page.",
                "schema": {"type": "string"},
            },
            {
                "name": "page_size",
                "in": "query",
                "required": False,
                "allowEmptyValue": True,
                "description": f"Records a page, from 1 to {MAX_PAGE_SIZE}.",
                "schema": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": MAX_PAGE_SIZE,
                    "default": PAGE_SIZE,
                },
            },
        ]
