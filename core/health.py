"""Whether the site can serve, for load balancers and for people.

`/healthz` says the process answers; `/readyz` says whether the database and the shared
cache answer too. Both are answered before any other middleware, so that a probe needs no
allowed host name, no HTTPS and no database. When the database cannot be reached, pages
not already in the cache get a friendly 503 instead of an error page; the site recovers
by itself when the database returns, as each request checks its connection first."""

import logging
import sys

from django.core.cache import cache
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.views import defaults

logger = logging.getLogger(__name__)

DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == "/healthz":
            return self.answer({"process": "ok"})
        if request.path == "/readyz":
            return self.answer({"database": database_state(), "cache": cache_state()})
        return self.get_response(request)

    @staticmethod
    def answer(states: dict[str, str]) -> JsonResponse:
        ready = all(state == "ok" for state in states.values())
        response = JsonResponse(states, status=200 if ready else 503)
        response["Cache-Control"] = "no-store"
        return response


def database_state() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except DATABASE_UNAVAILABLE as error:
        logger.warning("Readiness check: the database does not answer: %s", error)
        # Drop the broken connection, so that the next request connects afresh.
        connection.close_if_unusable_or_obsolete()
        return "unavailable"


def cache_state() -> str:
    # Any failure of the cache backend counts: a probe reports, it does not crash.
    try:
        cache.set("readyz", "ok", 10)
        return "ok" if cache.get("readyz") == "ok" else "unavailable"
    except Exception as error:  # noqa: BLE001
        logger.warning("Readiness check: the cache does not answer: %s", error)
        return "unavailable"


def server_error(request):
    """The error page: a 503 that asks the visitor to try again when the database is
    away, the usual 500 page otherwise."""
    if isinstance(sys.exc_info()[1], DATABASE_UNAVAILABLE):
        # Without the request's context, which could reach for the database again.
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
        response["Retry-After"] = "30"
        return response
    return defaults.server_error(request)
