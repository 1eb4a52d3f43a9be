"""Errors as JSON an API client can act on: what went wrong in a sentence, and for a query
that is not valid, each parameter at fault with what it allows."""

from rest_framework import exceptions, serializers
from rest_framework.views import exception_handler as drf_exception_handler


class UnknownParameters(exceptions.ValidationError):
    """Query parameters the endpoint does not read: named, with those it does."""

    def __init__(self, unknown: list[str], allowed: tuple[str, ...]):
        takes = ", ".join(allowed) if allowed else "no parameters"
        super().__init__(
            {name: [f"This endpoint does not read “{name}”; it takes {takes}."] for name in unknown}
        )
        self.allowed = allowed


def exception_handler(exc, context):
    """DRF's answer to exc, with a body of `detail` and, for a 400, `errors` by parameter."""
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError) and isinstance(response.data, dict):
        errors = {
            name: [str(message) for message in messages] for name, messages in response.data.items()
        }
        body = {
            "detail": "The query is not valid: " + ", ".join(errors) + ".",
            "errors": errors,
        }
        if isinstance(exc, UnknownParameters):
            body["allowed_parameters"] = list(exc.allowed)
        response.data = body
    return response


class ErrorSerializer(serializers.Serializer):
    """The body of every error."""

    detail = serializers.CharField(help_text="What went wrong, in a sentence.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="For a 400: each query parameter at fault, with what it allows.",
    )
    allowed_parameters = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="For an unknown parameter: the parameters this endpoint reads.",
    )
