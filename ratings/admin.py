from django.contrib import admin

from editors.filters import ChoicesOnlyFilter, SafeChangeListMixin

from .models import RatingDefinition


@admin.register(RatingDefinition)
class RatingDefinitionAdmin(SafeChangeListMixin, admin.ModelAdmin):
    """Editors reword definitions; the scale's ratings are fixed in code."""

    list_display = ["__str__", "definition"]
    list_filter = [("scale", ChoicesOnlyFilter)]
    readonly_fields = ["scale", "rating"]
    fields = ["scale", "rating", "definition"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="rating")
    def rating(self, definition: RatingDefinition) -> str:
        return definition.rating_label or "—"
