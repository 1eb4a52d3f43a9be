from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The foundation every app may use, which imports no app: model fields, the timestamp
    base, text rendering, the cache and its invalidation, search, health checks, limits
    on costly requests and the shared template tags."""

    name = "core"
    verbose_name = "Core"

    def ready(self):
        from django.db.models.signals import post_migrate, pre_migrate

        from .sequences import note_sequences, restore_sequences

        # Once a migration, not once for each app it touches.
        pre_migrate.connect(note_sequences, sender=self, dispatch_uid="note-sequences")
        post_migrate.connect(restore_sequences, sender=self, dispatch_uid="restore-sequences")
