from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The site as a whole: home, site search, the accessibility statement, sitemaps and
    robots.txt, whole-site export and import, demonstration data."""

    name = "portal"
    verbose_name = "Evidence portal"
