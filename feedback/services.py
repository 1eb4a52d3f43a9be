from django.db import transaction

from catalogue.models import ReviewItem, ReviewStage, ReviewStageEntry

from .models import Kind, State


@transaction.atomic
def add_to_review_pipeline(reports) -> list[ReviewItem]:
    """Make a review item, at the suggested stage and not yet public, of each suggestion
    not already in the pipeline, and mark the suggestion in progress."""
    added = []
    for report in reports.select_for_update().filter(kind=Kind.SUGGESTION, review_item=None):
        item = ReviewItem.objects.create(
            name=report.programme, provider=report.provider, stage=ReviewStage.SUGGESTED
        )
        ReviewStageEntry.objects.create(
            item=item, stage=ReviewStage.SUGGESTED, entered_on=report.created.date()
        )
        report.review_item = item
        report.state = State.IN_PROGRESS
        report.save(update_fields=["review_item", "state", "updated"])
        added.append(item)
    return added
