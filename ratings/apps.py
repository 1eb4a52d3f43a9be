from django.apps import AppConfig


class RatingsConfig(AppConfig):
    name = "ratings"

    def ready(self):
        from core.cache import watch_content

        # The public sees these records: a change to any of them makes cached pages stale.
        watch_content(self)
