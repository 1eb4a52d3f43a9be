from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"

    def ready(self):
        from core.cache import watch_content
        from editors.addresses import keep_former_slugs

        # The public sees these records: a change to any of them makes cached pages stale.
        watch_content(self)
        # Their old addresses lead to them after a change of slug (301).
        keep_former_slugs(self.get_model("Project"))
        keep_former_slugs(self.get_model("Organisation"))
