"""Who is asking: the visitor's address as the site's own proxies saw it.

Behind a reverse proxy every request comes from the proxy's address; each proxy appends
the address it saw to X-Forwarded-For. With DJANGO_PROXY_COUNT proxies in front of the
site, the address the outermost one saw is that many entries from the end. Entries
before it are the visitor's to write, so they are never read."""

import ipaddress

from django.conf import settings


def client_ip(request) -> str:
    """The address of the visitor who sent request."""
    remote = request.META.get("REMOTE_ADDR", "")
    if not settings.PROXY_COUNT:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(forwarded) < settings.PROXY_COUNT:
        # Not through the proxies as configured (a probe from the proxy's own host, say).
        return remote
    address = forwarded[-settings.PROXY_COUNT]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return remote
