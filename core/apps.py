from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The foundation every app may use, which imports no app: model fields, the timestamp
    base, text rendering, the cache and its invalidation, search, health checks, limits
    on costly requests and the shared template tags."""

    name = "core"
    verbose_name = "Core"
