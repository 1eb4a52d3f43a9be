"""Old addresses keep working: a record whose slug changed is found at its former slugs
(301 to the same page at the current one), and a record withdrawn after being public
answers 410 Gone rather than 404. Looked up only when a page finds no record, so a page
found costs no query more."""

import functools

from django.db.models import Exists
from django.db.models.signals import post_save, pre_save
from django.http import Http404, HttpResponsePermanentRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from .models import FormerSlug


def keep_former_slugs(model) -> None:
    """Record a model's former slug whenever any save changes it (admin forms, list edits,
    reverts, imports and commands alike): from the AppConfig.ready of the model's app."""
    label = model._meta.label_lower
    pre_save.connect(note_former_slug, sender=model, dispatch_uid=f"former-slug-note-{label}")
    post_save.connect(record_former_slug, sender=model, dispatch_uid=f"former-slug-{label}")


def note_former_slug(sender, instance, update_fields=None, **kwargs) -> None:
    if instance.pk is None or (update_fields is not None and "slug" not in update_fields):
        return
    stored = sender._default_manager.filter(pk=instance.pk).values_list("slug", flat=True)
    former = stored.first()
    instance._former_slug = former if former not in (None, instance.slug) else None


def record_former_slug(sender, instance, **kwargs) -> None:
    former = instance.__dict__.pop("_former_slug", None)
    if former:
        # A slug another record left before is now this one's to answer for.
        FormerSlug.objects.update_or_create(
            kind=sender._meta.label_lower, slug=former, defaults={"record_id": instance.pk}
        )


def moved_or_gone(request, model, slug: str, answer_gone=None):
    """The answer for an address of model at slug that found no record, or None for 404:
    410 Gone for a withdrawn record (answer_gone's, gone's page by default), or 301 to the
    page of the record that had this slug."""
    records = model._default_manager
    if hasattr(records, "withdrawn"):
        withdrawn = records.withdrawn().filter(slug=slug).first()
        if withdrawn is not None and not request.user.is_staff:
            return (answer_gone or gone)(request, withdrawn)
    # A record that has the slug now wins over one that had it before.
    current = (
        records.filter(
            pk__in=FormerSlug.objects.filter(kind=model._meta.label_lower, slug=slug).values(
                "record_id"
            )
        )
        .exclude(Exists(records.filter(slug=slug)))
        .values_list("slug", flat=True)
        .first()
    )
    if current is None:
        return None
    match = request.resolver_match
    url = reverse(match.view_name, args=match.args, kwargs={**match.kwargs, "slug": current})
    # The query the view reads (the page cache has already left out the rest).
    query = request.GET.urlencode()
    return HttpResponsePermanentRedirect(f"{url}?{query}" if query else url)


def gone(request, record) -> TemplateResponse:
    """The short page of a record that has been withdrawn from the public."""
    opts = record._meta
    return TemplateResponse(
        request,
        [f"{opts.app_label}/{opts.model_name}_gone.html", "gone.html"],
        {"record": record, "kind": opts.verbose_name},
        status=410,
    )


def follows_former_slugs(model, answer_gone=None):
    """For a view of one record of model by its `slug`: answer its old and withdrawn
    addresses with moved_or_gone rather than 404."""

    def decorate(view):
        @functools.wraps(view)
        def answer(request, *args, **kwargs):
            try:
                return view(request, *args, **kwargs)
            except Http404:
                response = moved_or_gone(request, model, kwargs["slug"], answer_gone)
                if response is None:
                    raise
                return response

        return answer

    return decorate


class FollowsFormerSlugsMixin:
    """follows_former_slugs for a class-based view, of the record kind `slug_model`."""

    slug_model = None

    def dispatch(self, request, *args, **kwargs):
        view = follows_former_slugs(self.slug_model, self.gone)(super().dispatch)
        return view(request, *args, **kwargs)

    def gone(self, request, record) -> TemplateResponse:
        return gone(request, record)
