from dataclasses import dataclass, field

from django.db import models, transaction
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from core.cache import announce_change


def publishes(record) -> bool:
    """Whether saving record as it stands would make it public: published now, and not
    as stored."""
    if not getattr(record, "published", False):
        return False
    if record.pk is None:
        return True
    return not type(record)._default_manager.filter(pk=record.pk, published=True).exists()


def publish_problem(record, **kwargs) -> str | None:
    """Why record may not be published, from its own publish_problem() where it has one."""
    check = getattr(record, "publish_problem", None)
    return check(**kwargs) if callable(check) else None


@dataclass
class Published:
    """What set_published did: how many records it changed, and why it left others alone."""

    count: int
    refused: list[str] = field(default_factory=list)


def set_published(*, queryset: models.QuerySet, published: bool, user) -> Published:
    """Publish or unpublish records in bulk, recording each in its history; none at all
    when the cache cannot be told of the change (CacheUnavailable). A record whose
    publish_problem() names one is left unpublished, and its problem returned."""
    now = timezone.now()
    refused = []
    with transaction.atomic():
        announce_change()
        records = list(queryset.select_for_update().exclude(published=published))
        if published:
            problems = {record.pk: publish_problem(record) for record in records}
            refused = [problem for problem in problems.values() if problem]
            records = [record for record in records if not problems[record.pk]]
        fields = ["published", "updated", "version"]
        for record in records:
            record.published = published
            record.updated = now
            record.version += 1
            if published and hasattr(record, "first_published") and record.first_published is None:
                record.first_published = now.date()
                fields.append("first_published")
        bulk_update_with_history(
            records,
            queryset.model,
            list(dict.fromkeys(fields)),
            default_user=user,
            default_change_reason="Published" if published else "Unpublished",
            default_date=now,
        )
    return Published(count=len(records), refused=refused)
