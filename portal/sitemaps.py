from django.db.models import Max
from django.urls import reverse

from catalogue.models import ChildOutcome, Intervention
from core.addresses import SiteSitemap
from projects.models import Organisation, Project


class PageSitemap(SiteSitemap):
    """The site's own pages that are not records."""

    def items(self) -> list[str]:
        return [
            "portal:home",
            "projects:project-list",
            "catalogue:guidebook",
            "ratings:explained",
            "catalogue:other-programmes",
            "catalogue:under-review",
            "feedback:suggest",
            "portal:help",
            "portal:glossary",
            "portal:accessibility",
            "portal:contact",
            "portal:privacy",
            "portal:cookies",
        ]

    def location(self, name: str) -> str:
        return reverse(name)


class ProjectSitemap(SiteSitemap):
    def items(self):
        return Project.objects.published().only("slug", "updated").order_by("pk")

    def lastmod(self, project: Project):
        return project.updated

    def get_latest_lastmod(self):
        # For the index: one aggregate rather than Django's walk over every project.
        return self.items().aggregate(latest=Max("updated"))["latest"]


class InterventionSitemap(SiteSitemap):
    def items(self):
        return Intervention.objects.published().only("slug", "updated").order_by("pk")

    def lastmod(self, intervention: Intervention):
        return intervention.updated

    def get_latest_lastmod(self):
        # For the index: one aggregate rather than Django's walk over every intervention.
        return self.items().aggregate(latest=Max("updated"))["latest"]


class OutcomeSitemap(SiteSitemap):
    def items(self):
        return ChildOutcome.objects.all()


class PartnerSitemap(SiteSitemap):
    def items(self):
        return Organisation.objects.with_published_projects().only("slug").order_by("pk")


SITEMAPS = {
    "pages": PageSitemap,
    "projects": ProjectSitemap,
    "interventions": InterventionSitemap,
    "outcomes": OutcomeSitemap,
    "partners": PartnerSitemap,
}
