from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"

    def ready(self):
        from core.cache import watch_content

        # The public sees these records: a change to any of them makes cached pages stale.
        watch_content(self)
