"""Who is asking: the visitor's address as the site's own proxies saw it.

Behind a reverse proxy every request comes from the proxy's address; each proxy appends
the address it saw to X-Forwarded-For. With DJANGO_PROXY_COUNT proxies in front of the
site, the address the outermost one saw is that many entries from the end. Entries
before it are the visitor's to write, so they are never read."""

import ipaddress
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


def client_ip(request) -> str:
    """The address of the visitor who sent request."""
    remote = request.META.get("REMOTE_ADDR", "")
    if not settings.PROXY_COUNT:
        return remote
    forwarded = [part.strip() for part in request.headers.get("x-forwarded-for", "").split(",")]
    if len(forwarded) < settings.PROXY_COUNT:
        # Not through the proxies as configured (a probe from the proxy's own host, say).
        return remote
    address = forwarded[-settings.PROXY_COUNT]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return remote


# How long a count of running requests is kept: past the longest request, in case a
# worker dies holding one.
RUNNING_KEPT_SECONDS = 10 * 60


@dataclass
class Admission:
    """The answer to a request a limit applies to: refused (and why), or let in, with
    what to call once it is done."""

    refused: str = ""
    retry_after: int = 0
    release: Callable[[], None] = lambda: None


class AddressLimit:
    """At most per_minute (or per_hour) requests of one kind from one visitor's address,
    and at most at_once of them at the same time, counted in the shared cache so that
    every process agrees. A few greedy clients then cannot take the workers from everyone
    else.

    While the cache does not answer, requests are let in: the site stays usable."""

    def __init__(
        self,
        name: str,
        *,
        per_minute: int | None = None,
        per_hour: int | None = None,
        at_once: int | None = None,
    ):
        self.name = name
        if per_minute is not None:
            self.allowed, self.window, self.per = per_minute, 60, "a minute"
        else:
            self.allowed, self.window, self.per = per_hour, 3600, "an hour"
        self.at_once = at_once

    def admit(self, request) -> Admission:
        address = client_ip(request)
        now = time.time()
        period = f"limit:{self.name}:{address}:{int(now // self.window)}"
        running = f"limit:{self.name}:{address}:running"
        try:
            cache.add(period, 0, timeout=self.window)
            if cache.incr(period) > self.allowed:
                return Admission(
                    refused=f"at most {self.allowed} {self.per}",
                    retry_after=self.window - int(now % self.window),
                )
            if self.at_once is None:
                return Admission()
            cache.add(running, 0, timeout=RUNNING_KEPT_SECONDS)
            if cache.incr(running) > self.at_once:
                self.leave(running)
                return Admission(refused=f"at most {self.at_once} at a time", retry_after=10)
        except (RedisError, ValueError) as error:
            logger.warning("The limit on %s is not counted: %s", self.name, error)
            return Admission()
        return Admission(release=lambda: self.leave(running))

    @staticmethod
    def leave(running: str) -> None:
        try:
            cache.decr(running)
        except (RedisError, ValueError) as error:
            logger.warning("A running request was not counted out: %s", error)


def released_after(items: Iterable, release: Callable[[], None]) -> Iterator:
    """items, then release(): at the end of a streamed response, or when it is cut off."""
    try:
        yield from items
    finally:
        release()


def too_many_requests(
    request, admission: Admission, what: str, template_name: str = "429.html"
) -> HttpResponse:
    """The 429 page, saying how long to wait."""
    response = render(
        request,
        template_name,
        {"what": what, "limit": admission.refused, "wait": admission.retry_after},
        status=429,
    )
    response["Retry-After"] = str(admission.retry_after)
    patch_cache_control(response, private=True)
    return response
