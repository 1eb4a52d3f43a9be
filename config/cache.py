"""The shared cache of public pages and facet counts, and how an editor's change empties it.

Every cached entry is marked with the content version, a number stored in the cache itself
and raised whenever a record the public sees is saved or deleted. Raising it makes every
older entry stale at once, in every process that shares the cache (Redis when REDIS_URL
is set). Logged-in editors are never served from the cache.

When Redis cannot be reached, public pages and counts are made afresh instead of failing;
editors' saves do fail, since a change the cache was not told of could be hidden behind
stale pages once Redis returns."""

import hashlib
import logging
import time
from typing import NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends import redis
from django.http import HttpResponse
from django.utils.cache import patch_cache_control, set_response_etag
from django.utils.http import http_date
from redis.exceptions import RedisError

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


# Entries are right until the content changes, which also changes their key.
UNTIL_CHANGED_SECONDS = 60 * 60 * 24


def cached_until_changed(parts: tuple, make, timeout: int = UNTIL_CHANGED_SECONDS):
    """make(), kept in the shared cache under parts until the content changes, or made
    afresh when the cache cannot be reached."""
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    try:
        return cache.get_or_set(f"{content_version()}:{digest}", make, timeout)
    except RedisError as error:
        logger.warning("The cache does not answer; counting afresh: %s", error)
        return make()


class RedisCacheClient(redis.RedisCacheClient):
    """Django's Redis client, keeping one redis-py client per server.

    Django makes a new redis-py client for every cache call, and redis-py fills a table
    of some 170 reply handlers each time: on a cached page that cost as much as the round
    trip to Redis itself."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

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


class PublicPageCacheMiddleware:
    """Serve anonymous visitors' pages from the cache, with Last-Modified set to the time
    of the last change so that a revisit can get a 304."""

    # Pages this process has fetched from the shared cache, kept here too: a hit then
    # costs one small read (the content version) instead of moving the whole page.
    LOCAL_PAGES_MAX = 500

    def __init__(self, get_response):
        self.get_response = get_response
        self.local_pages = {}

    def __call__(self, request):
        if not self.cacheable_request(request):
            return self.get_response(request)
        key = f"page:{hashlib.sha256(request.get_full_path().encode()).hexdigest()}"
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
            if len(self.local_pages) >= self.LOCAL_PAGES_MAX:
                self.local_pages.clear()
            self.local_pages[key] = page
        return page

    @staticmethod
    def cacheable_request(request) -> bool:
        return (
            # 0 turns the page cache off: nothing is looked up or stored.
            settings.PAGE_CACHE_SECONDS > 0
            and request.method in ("GET", "HEAD")
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and not request.path.startswith("/" + settings.ADMIN_URL)
        )

    @staticmethod
    def cacheable_response(response) -> bool:
        return (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and "private" not in response.get("Cache-Control", "")
        )


CONTENT_APPS = {"projects", "catalogue", "ratings"}


def content_changed(sender, **kwargs) -> None:
    """Empty the cache of pages when a record of the public catalogue changes."""
    if sender._meta.app_label in CONTENT_APPS:
        bump_content_version()
