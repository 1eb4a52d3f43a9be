from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from core.addresses import SiteFeed, absolute_url

from .models import Project

FEED_LENGTH = 30


class ProjectFeed(SiteFeed):
    """New and changed research projects, most recently changed first."""

    feed_type = Atom1Feed
    query_parameters = ()
    title = "Research projects: new and changed"
    subtitle = "Research projects of What Works for Children and Families, newest changes first."

    def link(self) -> str:
        return absolute_url(reverse("projects:project-list"))

    def feed_url(self) -> str:
        return absolute_url(reverse("projects:project-feed"))

    def items(self):
        return Project.objects.published().order_by("-updated", "pk")[:FEED_LENGTH]

    def item_title(self, project: Project) -> str:
        return project.title

    def item_description(self, project: Project) -> str:
        return f"{project.get_study_type_display()} / {project.get_status_display()}. {project.summary}"

    def item_pubdate(self, project: Project):
        return project.created

    def item_updateddate(self, project: Project):
        return project.updated
