from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save


class PortalConfig(AppConfig):
    """Site-wide pieces: settings, home, search, feeds, the page cache."""

    name = "config"
    verbose_name = "Evidence portal"

    def ready(self):
        from .cache import content_changed

        for signal in (post_save, post_delete, m2m_changed):
            signal.connect(content_changed, dispatch_uid=f"content-changed-{signal!r}")
