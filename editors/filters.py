"""Admin lists that answer junk in their filters with Django's message for a wrong filter
(a redirect to ?e=1) rather than a server error."""

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList


class ChoicesOnlyFilter(admin.ChoicesFieldListFilter):
    """A field's choices, refusing any other value with a message rather than listing
    nothing."""

    def queryset(self, request, queryset):
        allowed = {str(value) for value, _ in self.field.flatchoices}
        wrong = [value for value in self.lookup_val or [] if value not in allowed]
        if wrong:
            raise IncorrectLookupParameters(f"“{wrong[0]}” is not a {self.title}.")
        return super().queryset(request, queryset)


class SafeChangeList(ChangeList):
    """A list refusing a filter value with a NUL byte, and a date beyond the calendar."""

    def get_filters(self, request):
        for name, values in self.get_filters_params().items():
            # No text column holds a NUL byte, and PostgreSQL refuses a query that sends
            # one: whatever the filter, the value cannot be right.
            if any("\x00" in value for value in values):
                raise IncorrectLookupParameters(f"{name} holds a NUL byte.")
        try:
            return super().get_filters(request)
        except (OverflowError, ValueError) as error:
            # Django reads the date hierarchy's year, month and day with int() and
            # datetime() and then reaches for the next one, catching only some of the
            # errors: a huge year overflows, and year 9999 has no next year.
            raise IncorrectLookupParameters(error) from error


class SafeChangeListMixin:
    """For a ModelAdmin: its list is a SafeChangeList."""

    def get_changelist(self, request, **kwargs):
        return SafeChangeList
