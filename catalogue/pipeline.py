"""The review pipeline in public: the page of programmes suggested or under review,
grouped by stage, its CSV and its Atom feed."""

import csv
from collections.abc import Iterator

from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.views.generic import TemplateView

from core.addresses import SiteFeed, absolute_url
from core.cache import reads_query

from .models import ReviewItem, ReviewStage
from .spreadsheet import Echo, neutralise

FEED_LENGTH = 30

CSV_COLUMNS = [
    "id", "name", "provider", "stage", "stage_began", "decision_expected", "note",
    "guidebook_url", "history",
]  # fmt: skip


def csv_row(item: ReviewItem) -> list[str]:
    entry = item.guidebook_entry
    values = {
        "id": str(item.pk),
        "name": item.name,
        "provider": item.provider,
        "stage": item.get_stage_display(),
        "stage_began": item.stage_began.isoformat() if item.stage_began else "",
        "decision_expected": item.expected,
        "note": item.public_note,
        "guidebook_url": absolute_url(entry.get_absolute_url()) if entry else "",
        "history": "; ".join(
            f"{stage.get_stage_display()} {stage.entered_on.isoformat()}"
            for stage in item.stages.all()
        ),
    }
    return [neutralise(values[column]) for column in CSV_COLUMNS]


def csv_lines(items) -> Iterator[str]:
    writer = csv.writer(Echo(), quoting=csv.QUOTE_ALL)
    yield writer.writerow(CSV_COLUMNS)
    for item in items:
        yield writer.writerow(csv_row(item))


@reads_query("format")
class ReviewPipelineView(TemplateView):
    """Programmes suggested or under review, by stage, each with its short history and
    the quarter a decision is expected; `format=csv` for the same as a spreadsheet."""

    template_name = "catalogue/under_review.html"

    def get(self, request, *args, **kwargs):
        wanted = request.GET.get("format", "")
        if wanted == "csv":
            response = StreamingHttpResponse(
                csv_lines(ReviewItem.objects.for_pipeline()),
                content_type="text/csv; charset=utf-8",
            )
            response["Content-Disposition"] = 'attachment; filename="under-review.csv"'
            return response
        context = self.get_context_data(**kwargs)
        if wanted:
            # The page all the same, saying what went wrong, rather than a bare refusal.
            context["format_error"] = (
                f"“{wanted[:50]}” is not a format of this page: the only one is CSV."
            )
            return self.render_to_response(context, status=400)
        return self.render_to_response(context)

    def get_context_data(self, **kwargs):
        items = list(ReviewItem.objects.for_pipeline())
        groups = [(stage, [item for item in items if item.stage == stage]) for stage in ReviewStage]
        return super().get_context_data(
            groups=[(stage, listed) for stage, listed in groups if listed],
            total=len(items),
            **kwargs,
        )


class ReviewPipelineFeed(SiteFeed):
    """Programmes entering the pipeline or moving on in it, latest first."""

    feed_type = Atom1Feed
    title = "Guidebook review pipeline: programmes suggested and under review"
    subtitle = "Each programme's stage as it changes, latest first."
    query_parameters = ()

    def link(self) -> str:
        return absolute_url(reverse("catalogue:under-review"))

    def feed_url(self) -> str:
        return absolute_url(reverse("catalogue:under-review-feed"))

    def items(self):
        return ReviewItem.objects.for_pipeline().order_by("-updated", "pk")[:FEED_LENGTH]

    def item_title(self, item: ReviewItem) -> str:
        return f"{item.name}: {item.get_stage_display()}"

    def item_description(self, item: ReviewItem) -> str:
        expected = f" A decision is expected in {item.expected}." if item.expected else ""
        return (item.public_note + expected).strip()

    def item_pubdate(self, item: ReviewItem):
        return item.created

    def item_updateddate(self, item: ReviewItem):
        return item.updated
