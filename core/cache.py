"""The shared cache of public pages and facet counts, and how an editor's change empties it.

Every cached entry is marked with the content version, a number stored in the cache itself
and raised whenever a record the public sees is saved or deleted. Raising it makes every
older entry stale at once, in every process that shares the cache (Redis when REDIS_URL
is set). Logged-in editors are never served from the cache.

The version is raised twice for each change: before it is committed, which also proves
that the cache can be told (a change it cannot be told of is refused whole, so it is
never hidden behind stale pages), and again once it is committed, so that a page made in
between, from the rows as they were, is not kept under the new version.

When Redis cannot be reached, or answers too slowly, public pages and counts are made
afresh instead of failing or waiting, and the cache is left alone for a few seconds."""

import functools
import hashlib
import logging
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from importlib import import_module
from typing import NamedTuple

from django.conf import settings
from django.contrib import admin
from django.core.cache import cache
from django.core.cache.backends import redis
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse, QueryDict
from django.template.response import TemplateResponse
from django.urls import Resolver404, resolve
from django.utils.cache import patch_cache_control, set_response_etag
from django.utils.http import http_date, urlencode
from redis.exceptions import ConnectionError, RedisError, TimeoutError

logger = logging.getLogger(__name__)

VERSION_KEY = "content-version"


def content_version() -> int | None:
    """The current content version, made on first use; None when caching is off."""
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, time.time_ns(), timeout=None)
        version = cache.get(VERSION_KEY)
    return version


def bump_content_version() -> None:
    """Mark every cached page and count as out of date."""
    # A time-based number, so that a cache that lost the key never goes back to old entries.
    cache.set(VERSION_KEY, time.time_ns(), timeout=None)


class CacheUnavailable(Exception):
    """The shared cache cannot be told of a change, so the change is not made."""

    message = (
        "The site's cache cannot be reached, so nothing was saved: a change it is not told "
        "of could stay hidden behind out-of-date pages. Try again in a minute; if it goes "
        "on, tell whoever runs the site."
    )


def check_cache() -> None:
    """Refuse to start a change when the cache cannot be reached."""
    try:
        cache.get(VERSION_KEY)
    except RedisError as error:
        raise CacheUnavailable(CacheUnavailable.message) from error


def announce_change(using: str | None = None) -> None:
    """Make every cached page stale for a change being written to the database using:
    now, refusing the change if the cache cannot be told, and again once it commits."""
    try:
        bump_content_version()
    except RedisError as error:
        raise CacheUnavailable(CacheUnavailable.message) from error
    # Once for a transaction, however many records it changes (a bulk delete sends a
    # signal for each); outside a transaction the change is committed and this runs at once.
    pending = transaction.get_connection(using).run_on_commit
    if not any(callback is bump_content_version for _, callback, _ in pending):
        transaction.on_commit(bump_content_version, using=using, robust=True)


# Entries are right until the content changes, which also changes their key.
UNTIL_CHANGED_SECONDS = 60 * 60 * 24


def parts_key(parts: tuple) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


# A stream larger than this, compressed, is made afresh each time rather than kept.
STREAM_KEPT_MAX_BYTES = 16 * 1024 * 1024
STREAM_CHUNK_BYTES = 256 * 1024


def cached_stream(parts: tuple, make: Callable[[], Iterable[str]]) -> Iterator[bytes]:
    """The text make() yields, as UTF-8, kept compressed in the shared cache under parts
    until the content changes. The first request streams it as it is made and keeps it
    once the whole of it has been sent; memory stays that of the compressed copy."""
    try:
        version = content_version()
        key = f"{version}:stream:{parts_key(parts)}" if version is not None else None
        kept = cache.get(key) if key else None
    except RedisError as error:
        logger.warning("The cache does not answer; streaming afresh: %s", error)
        key = kept = None
    if kept is not None:
        unpack = zlib.decompressobj()
        for start in range(0, len(kept), STREAM_CHUNK_BYTES):
            yield unpack.decompress(kept[start : start + STREAM_CHUNK_BYTES])
        yield unpack.flush()
        return
    pack = zlib.compressobj()
    packed, size = [], 0
    for text in make():
        data = text.encode()
        yield data
        if packed is not None:
            packed.append(pack.compress(data))
            size += len(packed[-1])
            if size > STREAM_KEPT_MAX_BYTES:
                packed = None
    # Reached only once the whole stream was sent, not when the reader went away.
    if key and packed is not None:
        packed.append(pack.flush())
        try:
            cache.set(key, b"".join(packed), UNTIL_CHANGED_SECONDS)
        except RedisError as error:
            logger.warning("The cache does not answer; the stream is not kept: %s", error)


def cached_for(parts: tuple, make, timeout: int):
    """make(), kept in the shared cache under parts for timeout seconds whatever changes,
    or made afresh when the cache cannot be reached."""
    try:
        return cache.get_or_set(f"kept:{parts_key(parts)}", make, timeout)
    except RedisError as error:
        logger.warning("The cache does not answer; making it afresh: %s", error)
        return make()


def cached_until_changed(parts: tuple, make, timeout: int = UNTIL_CHANGED_SECONDS):
    """make(), kept in the shared cache under parts until the content changes, or made
    afresh when the cache cannot be reached."""
    try:
        return cache.get_or_set(f"{content_version()}:{parts_key(parts)}", make, timeout)
    except RedisError as error:
        logger.warning("The cache does not answer; counting afresh: %s", error)
        return make()


class CachePaused(ConnectionError):
    """The cache failed a moment ago, so it is not asked again yet."""


def pausing(method):
    """A cache call that fails fast while the cache is paused, and pauses it on failure."""

    @functools.wraps(method)
    def call(client, *args, **kwargs):
        if time.monotonic() < client.paused_until:
            raise CachePaused("The cache failed a moment ago; not asking it again yet.")
        try:
            return method(client, *args, **kwargs)
        except (ConnectionError, TimeoutError):
            client.paused_until = time.monotonic() + client.pause_after_failure
            raise

    return call


class RedisCacheClient(redis.RedisCacheClient):
    """Django's Redis client, keeping one redis-py client per server, and leaving a cache
    that failed alone for a few seconds.

    Django makes a new redis-py client for every cache call, and redis-py fills a table
    of some 170 reply handlers each time: on a cached page that cost as much as the round
    trip to Redis itself. A Redis that does not answer costs each call its timeout; the
    pause keeps that to one call in a few seconds rather than several on every page."""

    def __init__(self, *args, pause_after_failure: float = 5, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}
        self.pause_after_failure = pause_after_failure
        self.paused_until = 0.0

    add = pausing(redis.RedisCacheClient.add)
    get = pausing(redis.RedisCacheClient.get)
    set = pausing(redis.RedisCacheClient.set)
    touch = pausing(redis.RedisCacheClient.touch)
    delete = pausing(redis.RedisCacheClient.delete)
    get_many = pausing(redis.RedisCacheClient.get_many)
    has_key = pausing(redis.RedisCacheClient.has_key)
    incr = pausing(redis.RedisCacheClient.incr)
    set_many = pausing(redis.RedisCacheClient.set_many)
    delete_many = pausing(redis.RedisCacheClient.delete_many)
    clear = pausing(redis.RedisCacheClient.clear)

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        if id(pool) not in self._clients:
            self._clients[id(pool)] = self._client(connection_pool=pool)
        return self._clients[id(pool)]


class RedisCache(redis.RedisCache):
    """The shared cache when REDIS_URL is set."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient


class CachedPage(NamedTuple):
    version: int
    expires: float
    content: bytes
    headers: dict[str, str]


def reads_query(*names: str):
    """Declare the query parameters a view reads. The page cache keeps the view's pages
    under these alone, in this order, and hands the view no others; a view that declares
    none is cached only when it is asked without a query string."""

    def declare(view):
        view.query_parameters = names
        return view

    return declare


class InvalidFiltersNotCachedMixin:
    """For a FilterView: a page asked with filter values that are not valid is not kept,
    so that made-up values do not each take an entry in the cache."""

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        if self.filterset.errors:
            patch_cache_control(response, private=True)
        return response


def resolved_view(request):
    """The view (its class, for a class-based one) at request's path, or None."""
    # Resolved already once the view runs; the page cache asks before that.
    match = request.resolver_match
    if match is None:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return None
    return getattr(match.func, "view_class", match.func)


def declared_query(request) -> tuple[str, ...] | None:
    """The query parameters the view at request's path reads, if it says."""
    return getattr(resolved_view(request), "query_parameters", None)


def normalised_query(request, names: tuple[str, ...]) -> QueryDict:
    """The request's values of those parameters, in their order, the empty ones left out."""
    pairs = [(name, value) for name in names for value in request.GET.getlist(name) if value]
    return QueryDict(urlencode(pairs))


class PublicPageCacheMiddleware:
    """Serve anonymous visitors' pages from the cache, with Last-Modified set to the time
    of the last change so that a revisit can get a 304.

    A page is kept under its path and the query parameters its view reads, so that
    parameters made up by a visitor (`/?x=1`, `/?x=2` …) share one entry rather than
    filling the cache. A view that sets `unknown_query_refused` is handed such a request
    uncached, to refuse it."""

    # Pages this process has fetched from the shared cache, kept here too: a hit then
    # costs one small read (the content version) instead of moving the whole page. Large
    # pages (a sitemap) are left in the shared cache alone.
    LOCAL_PAGES_MAX = 500
    LOCAL_PAGES_MAX_BYTES = 32 * 1024 * 1024
    LOCAL_PAGE_MAX_BYTES = 256 * 1024

    def __init__(self, get_response):
        self.get_response = get_response
        self.local_pages = {}
        self.local_bytes = 0

    def __call__(self, request):
        if not self.cacheable_request(request):
            return self.get_response(request)
        view = resolved_view(request)
        names = getattr(view, "query_parameters", None)
        if names is None:
            if request.META.get("QUERY_STRING"):
                return self.get_response(request)
            names = ()
        if getattr(view, "unknown_query_refused", False) and not set(request.GET) <= set(names):
            # The view answers a parameter it does not read with a 400 naming it (the
            # API does): a page kept under the others must not answer in its place.
            return self.get_response(request)
        request.GET = normalised_query(request, names)
        path = f"{request.path}?{request.GET.urlencode()}"
        key = f"page:{hashlib.sha256(path.encode()).hexdigest()}"
        try:
            version = content_version()
            page = self.cached_page(key, version) if version is not None else None
        except RedisError as error:
            logger.warning("The cache does not answer; making the page afresh: %s", error)
            return self.get_response(request)
        if page is not None:
            return HttpResponse(page.content, headers=page.headers)
        response = self.get_response(request)
        if version is not None and self.cacheable_response(response):
            response["Last-Modified"] = http_date(version / 1e9)
            # Browsers ask again each time, and get a 304 if nothing changed.
            patch_cache_control(response, public=True, no_cache=True)
            # Made once here, not on every revisit.
            set_response_etag(response)
            page = CachedPage(
                version,
                time.time() + settings.PAGE_CACHE_SECONDS,
                response.content,
                dict(response.items()),
            )
            try:
                cache.set(key, page, settings.PAGE_CACHE_SECONDS)
            except RedisError as error:
                logger.warning("The cache does not answer; the page is not kept: %s", error)
        return response

    def cached_page(self, key: str, version: int) -> "CachedPage | None":
        """The page of this content version, from this process or the shared cache."""
        page = self.local_pages.get(key)
        if page is None or page.version != version or page.expires < time.time():
            page = cache.get(key)
            if page is None or page.version != version:
                return None
            self.keep_locally(key, page)
        return page

    def keep_locally(self, key: str, page: CachedPage) -> None:
        size = len(page.content)
        if size > self.LOCAL_PAGE_MAX_BYTES:
            return
        if (
            len(self.local_pages) >= self.LOCAL_PAGES_MAX
            or self.local_bytes + size > self.LOCAL_PAGES_MAX_BYTES
        ):
            self.local_pages.clear()
            self.local_bytes = 0
        self.local_pages[key] = page
        self.local_bytes += size

    @staticmethod
    def cacheable_request(request) -> bool:
        return (
            # 0 turns the page cache off: nothing is looked up or stored.
            settings.PAGE_CACHE_SECONDS > 0
            and request.method in ("GET", "HEAD")
            and not request.path.startswith("/" + settings.ADMIN_URL)
            and not has_session(request)
        )

    @staticmethod
    def cacheable_response(response) -> bool:
        return (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and "private" not in response.get("Cache-Control", "")
        )


def has_session(request) -> bool:
    """Whether the request carries the cookie of a session that exists (an editor's).

    A made-up session cookie would otherwise make any visitor's every page uncached."""
    key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if not key:
        return False
    return import_module(settings.SESSION_ENGINE).SessionStore().exists(key)


def content_changed(sender, using: str, **kwargs) -> None:
    """Empty the cache of pages when a record the public sees changes."""
    announce_change(using)


def watch_content(app_config) -> None:
    """Call content_changed whenever a record of this app (its history and link tables
    included) is saved or deleted, or its links change: from the AppConfig.ready of each
    app whose records the public sees."""
    for model in app_config.get_models(include_auto_created=True):
        for signal in (post_save, post_delete, m2m_changed):
            signal.connect(
                content_changed,
                sender=model,
                dispatch_uid=f"content-changed-{id(signal)}-{model._meta.label}",
            )


class RefusedChangeMiddleware:
    """A change refused because the cache cannot be told of it is answered with a page
    that says so and that nothing was saved, rather than a server error."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, CacheUnavailable):
            return None
        context = {**admin.site.each_context(request), "message": exception.message}
        response = TemplateResponse(request, "cache_unavailable.html", context, status=503)
        response["Retry-After"] = "30"
        return response
