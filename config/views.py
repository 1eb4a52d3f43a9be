from django.views.generic import TemplateView

from catalogue.models import ChildOutcome
from projects.models import Project

LATEST_PROJECTS_ON_HOME = 3


class HomeView(TemplateView):
    template_name = "home.html"

    def get_context_data(self, **kwargs):
        latest = Project.objects.published().for_cards()[:LATEST_PROJECTS_ON_HOME]
        return super().get_context_data(
            latest_projects=latest, outcomes=ChildOutcome.objects.all(), **kwargs
        )
