"""The shared cache of public pages and facet counts, and how an editor's change empties it.

Every cached entry is marked with versions, numbers stored in the cache itself and raised
when what they stand for changes: the content version, raised by every change to a record
the public sees, and tags, each raised by changes to one record or to what lists of one
kind of record show. A page that names the records it shows (depends_on) is kept until one
of their tags is raised; any other page until the content version is. Raising a version
makes the older entries stale at once, in every process that shares the cache (Redis when
REDIS_URL is set). Logged-in editors are never served from the cache.

Versions are raised twice for each change: before it is committed, which also proves that
the cache can be told (a change it cannot be told of is refused whole, so it is never
hidden behind stale pages), and again once it is committed, so that a page made in
between, from the rows as they were, is not kept under the new versions.

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
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.http import HttpResponse, QueryDict
from django.template.response import TemplateResponse
from django.urls import Resolver404, resolve
from django.utils.cache import patch_cache_control, set_response_etag
from django.utils.http import http_date, urlencode
from redis.exceptions import ConnectionError, RedisError, TimeoutError

logger = logging.getLogger(__name__)

# Raised by every change; the version of pages that do not name the records they show.
VERSION_KEY = "content-version"
# Raised by a change not tied to one record (a bulk import, a rating's definition, an
# outcome's name): every page depends on it.
EVERYTHING = "everything"
# Fields a save changes without changing what the public sees.
BOOKKEEPING_FIELDS = frozenset({"created", "updated", "version", "search_document"})


def tag_key(tag: str) -> str:
    return f"tag:{tag}"


def record_tag(model, pk) -> str:
    """The tag of one record: raised when it changes."""
    return f"{model._meta.label_lower}:{pk}"


def lists_tag(model) -> str:
    """The tag of what lists of model's records show, filter, sort and count."""
    return f"{model._meta.label_lower}:lists"


def versions_of(keys: Iterable[str]) -> dict[str, int | None]:
    """The current versions under these keys, each made on first use; None when caching
    is off."""
    keys = list(keys)
    found = cache.get_many(keys)
    missing = [key for key in keys if key not in found]
    if missing:
        # A time-based number, so that a cache that lost a key never goes back to old entries.
        now = time.time_ns()
        for key in missing:
            cache.add(key, now, timeout=None)
        found.update(cache.get_many(missing))
    return {key: found.get(key) for key in keys}


def content_version() -> int | None:
    """The current content version, made on first use; None when caching is off."""
    return versions_of([VERSION_KEY])[VERSION_KEY]


def bump_content_version(tags: Iterable[str] = (EVERYTHING,)) -> None:
    """Mark the cached pages and counts that depend on these tags out of date, and those
    that depend on the content version (every change raises it)."""
    now = time.time_ns()
    cache.set_many({VERSION_KEY: now, **{tag_key(tag): now for tag in tags}}, timeout=None)


class BumpOnCommit:
    """The versions to raise once a transaction commits: those of every change in it."""

    def __init__(self, tags: Iterable[str]):
        self.tags = set(tags)

    def __call__(self):
        bump_content_version(self.tags)


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


def announce_change(using: str | None = None, tags: Iterable[str] = (EVERYTHING,)) -> None:
    """Make the cached pages that depend on these tags (every page, by default) stale for
    a change being written to the database using: now, refusing the change if the cache
    cannot be told, and again once it commits."""
    try:
        bump_content_version(tags)
    except RedisError as error:
        raise CacheUnavailable(CacheUnavailable.message) from error
    # Once for a transaction, however many records it changes (a bulk delete sends a
    # signal for each); outside a transaction the change is committed and this runs at once.
    for _, callback, _ in transaction.get_connection(using).run_on_commit:
        if isinstance(callback, BumpOnCommit):
            callback.tags.update(tags)
            return
    transaction.on_commit(BumpOnCommit(tags), using=using, robust=True)


# An entry kept until the content changes goes after a day at most, changed or not.
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


def cached_until_changed(
    parts: tuple, make, timeout: int = UNTIL_CHANGED_SECONDS, tags: Iterable[str] | None = None
):
    """make(), kept in the shared cache under parts until the content changes (or, given
    tags, until one of them is raised), or made afresh when the cache cannot be reached.
    The entry is read with the versions it depends on, in one round trip."""
    try:
        keys = [VERSION_KEY] if tags is None else [tag_key(EVERYTHING), *map(tag_key, tags)]
        entry_key = f"until-changed:{parts_key(parts)}"
        found = cache.get_many([*keys, entry_key])
        if all(key in found for key in keys):
            versions = tuple(found[key] for key in keys)
        else:
            versions = tuple(versions_of(keys).values())
    except RedisError as error:
        logger.warning("The cache does not answer; counting afresh: %s", error)
        return make()
    kept = found.get(entry_key)
    if kept is not None and kept[0] == versions:
        return kept[1]
    value = make()
    try:
        # Under the versions read before it was made: a change meanwhile makes it stale.
        cache.set(entry_key, (versions, value), timeout)
    except RedisError as error:
        logger.warning("The cache does not answer; the count is not kept: %s", error)
    return value


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
    # The versions the page was made under, by key: it is right while they are current.
    versions: dict[str, int]
    expires: float
    content: bytes
    headers: dict[str, str]


def depends_on(request, *tags: str) -> None:
    """Say that the page being made shows only the records these tags stand for (and
    whatever every page depends on): the page cache keeps it until one of them changes,
    rather than until anything does. Called with no tag, for a page that shows no record."""
    if getattr(request, "cache_tags", None) is None:
        request.cache_tags = set()
    request.cache_tags.update(tags)


def depends_on_list(request, model, records: Iterable, searched: bool = False) -> None:
    """Say that the page being made lists these records of model: it is kept until the
    lists of model or one of these records change; unless a text search chose them, when
    any change to any text may change what it finds."""
    if not searched:
        depends_on(request, lists_tag(model), *(record_tag(model, record.pk) for record in records))


class ShowsNoRecordMixin:
    """For a view whose pages show no record: they are kept until everything changes
    (a rating's definition, a bulk import), not at every change."""

    def get(self, request, *args, **kwargs):
        depends_on(request)
        return super().get(request, *args, **kwargs)


def page_version_keys(request) -> list[str]:
    """The keys of the versions a page made for request depends on."""
    tags = getattr(request, "cache_tags", None)
    if tags is None:
        return [VERSION_KEY]
    return [tag_key(EVERYTHING), *sorted(map(tag_key, tags))]


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
        # "tagged-": pages kept under one content version, by the code before tags, are
        # never read back as if they had tags.
        key = f"tagged-page:{hashlib.sha256(path.encode()).hexdigest()}"
        try:
            page = self.cached_page(key)
            # Read before the page is made: a change while it is made leaves it unkept.
            started = content_version() if page is None else None
        except RedisError as error:
            logger.warning("The cache does not answer; making the page afresh: %s", error)
            return self.get_response(request)
        if page is not None:
            return HttpResponse(page.content, headers=page.headers)
        request.cache_tags = None
        response = self.get_response(request)
        if started is not None and self.cacheable_response(response):
            self.keep(key, request, response, started)
        return response

    def keep(self, key: str, request, response, started: int) -> None:
        """Keep the page in the shared cache under the versions it depends on, unless the
        content changed while it was made."""
        try:
            keys = page_version_keys(request)
            found = versions_of([VERSION_KEY, *keys])
            if found[VERSION_KEY] != started:
                return
            versions = {key: found[key] for key in keys}
            response["Last-Modified"] = http_date(max(versions.values()) / 1e9)
            # Browsers ask again each time, and get a 304 if nothing changed.
            patch_cache_control(response, public=True, no_cache=True)
            # Made once here, not on every revisit.
            set_response_etag(response)
            page = CachedPage(
                versions,
                time.time() + settings.PAGE_CACHE_SECONDS,
                response.content,
                dict(response.items()),
            )
            cache.set(key, page, settings.PAGE_CACHE_SECONDS)
        except RedisError as error:
            logger.warning("The cache does not answer; the page is not kept: %s", error)

    def cached_page(self, key: str) -> "CachedPage | None":
        """The page kept under key, from this process or the shared cache, if the versions
        it was made under are current: one read of them for a page this process holds."""
        page = self.local_pages.get(key)
        if page is not None and page.expires >= time.time() and current(page):
            return page
        page = cache.get(key)
        if page is None or not current(page):
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


def current(page: CachedPage) -> bool:
    """Whether the versions page was made under are still current."""
    return versions_of(page.versions) == page.versions


def has_session(request) -> bool:
    """Whether the request carries the cookie of a session that exists (an editor's).

    A made-up session cookie would otherwise make any visitor's every page uncached."""
    key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if not key:
        return False
    return import_module(settings.SESSION_ENGINE).SessionStore().exists(key)


def compared_fields(model) -> list[str]:
    """The fields of model a save is checked for changes to: all but the bookkeeping
    ones and those the database computes from the others."""
    return [
        field.attname
        for field in model._meta.concrete_fields
        if field.name not in BOOKKEEPING_FIELDS and not field.generated
    ]


def remember_stored(sender, instance, **kwargs) -> None:
    """Before a record that lists tell apart is saved, read its stored values, so that the
    save can say which fields it changed."""
    instance._stored_values = None
    if instance.pk is not None and not kwargs.get("raw"):
        loaded = [
            name for name in compared_fields(sender) if name not in instance.get_deferred_fields()
        ]
        instance._stored_values = (
            sender._base_manager.filter(pk=instance.pk).values(*loaded).first()
        )


def changed_fields(instance) -> set[str] | None:
    """The fields a save just changed, or None when unknown (a new record)."""
    stored = getattr(instance, "_stored_values", None)
    if stored is None:
        return None
    return {name for name, value in stored.items() if getattr(instance, name) != value}


def changed_tags(sender, instance, **kwargs) -> set[str]:
    """The tags a change made stale: those the record names through its cache_tags()
    (both records', for a change to the links between two), none for a history record
    (its record's own change names them), and everything for any other record."""
    if getattr(sender, "instance_type", None) is not None:
        return set()
    if "action" in kwargs:
        if kwargs["pk_set"] is None:
            return {EVERYTHING}
        sides = [instance, *(kwargs["model"](pk=pk) for pk in kwargs["pk_set"])]
        named = [side.cache_tags(None) for side in sides if hasattr(side, "cache_tags")]
        return set().union(*named) if named else {EVERYTHING}
    if not hasattr(instance, "cache_tags"):
        return {EVERYTHING}
    if "created" not in kwargs and hasattr(sender, "DETAIL_ONLY_FIELDS"):
        # A deleted intervention or project: its links went with it unannounced, so the
        # pages that showed it are not known.
        return {EVERYTHING}
    return instance.cache_tags(changed_fields(instance) if kwargs.get("created") is False else None)


def content_changed(sender, using: str, instance=None, **kwargs) -> None:
    """Empty the cache of the pages a change to a record the public sees makes stale."""
    if tags := changed_tags(sender, instance, **kwargs):
        announce_change(using, tags)


def watch_content(app_config) -> None:
    """Call content_changed whenever a record of this app (its history and link tables
    included) is saved or deleted, or its links change: from the AppConfig.ready of each
    app whose records the public sees. A model that has cache_tags(changed) names the
    tags a change to one of its records makes stale, given the fields a save changed (None
    for a new or deleted record, or one whose links changed)."""
    for model in app_config.get_models(include_auto_created=True):
        for signal in (post_save, post_delete, m2m_changed):
            signal.connect(
                content_changed,
                sender=model,
                dispatch_uid=f"content-changed-{id(signal)}-{model._meta.label}",
            )
        if hasattr(model, "DETAIL_ONLY_FIELDS"):
            pre_save.connect(
                remember_stored, sender=model, dispatch_uid=f"stored-{model._meta.label}"
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
