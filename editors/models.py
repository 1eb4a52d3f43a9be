from django.db import models
from django.db.models import Exists, OuterRef


class PublishableQuerySet(models.QuerySet):
    """Records the public sees once an editor publishes them (a `published` field)."""

    def published(self) -> "PublishableQuerySet":
        return self.filter(published=True)

    def visible_to(self, user) -> "PublishableQuerySet":
        """Published records, and drafts too for staff who preview them."""
        return self if user.is_staff else self.published()

    def withdrawn(self) -> "PublishableQuerySet":
        """Records unpublished now that the public has seen: their history shows them
        published. Their pages answer 410 Gone rather than 404."""
        history = self.model.history.model.objects.filter(id=OuterRef("pk"), published=True)
        return self.filter(Exists(history), published=False)


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


class FormerSlug(models.Model):
    """A slug a record had before it was changed, so that its old addresses still lead
    to it: they answer 301 to the same page at its current slug (editors.addresses)."""

    # The model's label ("catalogue.intervention"): editors imports none of the apps above.
    kind = models.CharField(max_length=100, help_text="The kind of record, as its model's label.")
    slug = models.SlugField(max_length=255, help_text="The slug the record no longer has.")
    record_id = models.PositiveBigIntegerField(help_text="The stable id of the record it led to.")
    changed = models.DateTimeField(auto_now=True, help_text="When the slug last changed away.")

    class Meta:
        ordering = ["kind", "slug"]
        constraints = [
            # Its index answers the lookup of an old address by kind and slug.
            models.UniqueConstraint(fields=["kind", "slug"], name="former_slug_unique_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.slug} → {self.record_id}"
