from django.db import models, transaction
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from core.cache import announce_change


def set_published(*, queryset: models.QuerySet, published: bool, user) -> int:
    """Publish or unpublish records in bulk, recording each in its history; none at all
    when the cache cannot be told of the change (CacheUnavailable)."""
    now = timezone.now()
    with transaction.atomic():
        announce_change()
        records = list(queryset.select_for_update().exclude(published=published))
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
    return len(records)
