from django.db import models


class PublishableQuerySet(models.QuerySet):
    """Records the public sees once an editor publishes them (a `published` field)."""

    def published(self) -> "PublishableQuerySet":
        return self.filter(published=True)

    def visible_to(self, user) -> "PublishableQuerySet":
        """Published records, and drafts too for staff who preview them."""
        return self if user.is_staff else self.published()


class VersionedModel(models.Model):
    """A record editors change in the admin, with a version number that every save
    raises, so that a save based on an older version can be refused."""

    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            # Count on from what is stored: a revert restores an old number.
            stored = (
                type(self)._default_manager.filter(pk=self.pk).values_list("version", flat=True)
            )
            self.version = (stored.first() or self.version) + 1
        super().save(*args, **kwargs)
