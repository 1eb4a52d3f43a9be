"""The demonstration catalogue that `make run` adds beside the seed content (seed_demo),
and the banner every public page shows while any of it is there."""

from django.conf import settings

from catalogue.models import Intervention
from core.cache import cached_until_changed
from projects.models import Project

# Every generated record's slug starts with this; `seed_demo --clear` removes just those.
PREFIX = "demo-"
CLEAR_COMMAND = "python manage.py seed_demo --clear"


def demo_records_exist() -> bool:
    """Whether any generated project or intervention is in the database: one query."""
    projects = Project.objects.filter(slug__startswith=PREFIX).order_by().values("pk")
    interventions = Intervention.objects.filter(slug__startswith=PREFIX).order_by().values("pk")
    return bool(projects.union(interventions, all=True)[:1])


def demo_banner(request) -> dict:
    """For every page: whether to say it shows demonstration records, worked out once
    until the content changes."""
    if request.path.startswith("/" + settings.ADMIN_URL):
        return {}
    return {
        # Kept until everything changes: seed_demo, and deleting a record, change that;
        # after an editor adds a record with a demo slug, the banner waits for such a change.
        "demo_records": cached_until_changed(("demo-records",), demo_records_exist, tags=()),
        "demo_clear_command": CLEAR_COMMAND,
    }
