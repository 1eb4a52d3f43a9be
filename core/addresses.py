"""Absolute addresses of the site's pages, built from the configured site address
(DJANGO_SITE_URL), never from the Host a request names: they end up in cached pages,
feeds and sitemaps that every later visitor is served."""

from functools import lru_cache
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.syndication.views import Feed
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import Resolver404, get_script_prefix, get_urlconf, resolve, reverse


def absolute_url(path: str) -> str:
    """The full address of a path of this site."""
    return settings.SITE_URL + path


def record_url(viewname: str, *args) -> str:
    """reverse(viewname, args=args), kept in each process: a record's address is
    reversed for every link to it (a page of the guidebook has twenty and more), and
    reversing costs about 30 µs. Kept for the script prefix and URLconf in force, at most
    10,000 addresses."""
    return reversed_address(viewname, args, get_script_prefix(), get_urlconf())


@lru_cache(maxsize=10_000)
def reversed_address(viewname: str, args: tuple, prefix: str, urlconf) -> str:
    return reverse(viewname, args=args, urlconf=urlconf)


@receiver(setting_changed)
def forget_reversed_addresses(setting, **kwargs):
    if setting == "ROOT_URLCONF":
        reversed_address.cache_clear()


class SiteSitemap(Sitemap):
    """A sitemap whose locations are on the configured site address, in files of at most
    10,000 (the protocol allows 50,000): each costs a crawler's request a bounded amount."""

    limit = 10_000

    def get_protocol(self, protocol=None) -> str:
        return urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site=None) -> str:
        return urlsplit(settings.SITE_URL).netloc


class SiteFeed(Feed):
    """A feed whose links are on the configured site address. Its `link` and `feed_url`
    give full addresses too, which Django then leaves as they are."""

    # Entries' ids are on the record's stable id, not its address: a slug an editor
    # changes must not make a feed reader show the record again as new.
    item_guid_is_permalink = False

    def item_link(self, item) -> str:
        return absolute_url(item.get_absolute_url())

    def item_guid(self, item) -> str:
        host = urlsplit(settings.SITE_URL).hostname
        return f"tag:{host},2025:{item._meta.model_name}/{item.pk}"


def public_page_path(value: str) -> str:
    """value if it is the path (and query) of one of this site's public pages, else "":
    a path a visitor sends is never followed or stored as a link elsewhere."""
    parts = urlsplit(value)
    if (
        len(value) > 500
        or parts.scheme
        or parts.netloc
        or not parts.path.startswith("/")
        or parts.path.startswith("//")
        or "\\" in value
        or not value.isprintable()
        or parts.path.startswith("/" + settings.ADMIN_URL)
    ):
        return ""
    try:
        resolve(parts.path)
    except Resolver404:
        return ""
    return parts.path + (f"?{parts.query}" if parts.query else "")
