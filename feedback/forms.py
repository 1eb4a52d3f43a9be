import re

from django import forms

from .models import ReaderReport

EMAIL_LABEL = "Your e-mail address (optional)"
EMAIL_HELP = (
    "Only if you would like a reply. We use it for nothing else and delete it after {days} days."
)
EMAIL_ERRORS = {"invalid": "Enter an e-mail address like name@example.org, or leave it empty."}
# A DOI as people copy it: "10.1000/xyz123", with or without "doi:" before it.
DOI = re.compile(r"(?:doi:\s*)?(10\.\d{4,9}/\S+)", re.IGNORECASE)


def too_long(what: str) -> dict[str, str]:
    return {"max_length": f"{what} in %(limit_value)d characters or fewer."}


class ReaderForm(forms.ModelForm):
    """A form the public send the editors, with a box people never see (off the screen,
    hidden from screen readers, skipped by the keyboard) that programs filling in every
    box do."""

    website = forms.CharField(required=False, label="Leave this empty")

    def __init__(self, *args, retention_days: int, **kwargs):
        super().__init__(*args, **kwargs)
        email = self.fields["email"]
        email.label = EMAIL_LABEL
        email.help_text = EMAIL_HELP.format(days=retention_days)
        email.error_messages.update(EMAIL_ERRORS)
        email.widget.attrs.update(autocomplete="email", spellcheck="false")

    def caught_a_bot(self) -> bool:
        return bool(self.data.get("website"))


class ProblemReportForm(ReaderForm):
    class Meta:
        model = ReaderReport
        fields = ["doing", "wrong", "email"]
        labels = {"doing": "What were you doing?", "wrong": "What went wrong?"}
        help_texts = {
            "doing": "For example, “looking for a parenting programme for teenagers”.",
            "wrong": "For example, a date that is wrong, a link that does not work, or "
            "something you could not find.",
        }
        widgets = {
            "doing": forms.Textarea(attrs={"rows": 4}),
            "wrong": forms.Textarea(attrs={"rows": 4}),
        }
        error_messages = {
            "doing": too_long("Say what you were doing"),
            "wrong": too_long("Say what went wrong"),
        }

    def clean(self):
        cleaned = super().clean()
        # Only when both boxes were read: one too long already has its own error.
        if cleaned.keys() >= {"doing", "wrong"} and not (cleaned["doing"] or cleaned["wrong"]):
            self.add_error("wrong", "Say what went wrong, or what you were doing.")
        return cleaned


class SuggestionForm(ReaderForm):
    programme_website = forms.URLField(
        label="Its website (optional)",
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text="Such as https://www.example.org/programme.",
        error_messages={
            "invalid": "Enter the website's address, such as https://www.example.org.",
            **too_long("Give the website's address"),
        },
    )

    class Meta:
        model = ReaderReport
        fields = ["programme", "provider", "programme_website", "why", "evaluations", "email"]
        labels = {
            "programme": "The programme's name",
            "provider": "Who provides it (optional)",
            "why": "Why should we review it? (optional)",
            "evaluations": "Links to evaluations of it (optional)",
        }
        help_texts = {
            "evaluations": "Reports or papers that evaluate it, one a line, if you know of any.",
        }
        widgets = {
            "why": forms.Textarea(attrs={"rows": 4}),
            "evaluations": forms.Textarea(attrs={"rows": 4}),
        }
        error_messages = {
            "programme": {
                "required": "Give the programme's name.",
                "max_length": "Give the programme's name in %(limit_value)d characters or fewer.",
            },
            "provider": too_long("Give who provides it"),
            "why": too_long("Say why"),
            "evaluations": too_long("Give the links"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].required = True


class EvidenceForm(ReaderForm):
    link = forms.CharField(
        label="Its DOI or a link to it",
        required=False,
        max_length=480,
        help_text="Such as 10.1000/xyz123 or https://www.example.org/report.pdf.",
        error_messages=too_long("Give the DOI or link"),
    )

    class Meta:
        model = ReaderReport
        fields = ["citation", "link", "why", "email"]
        labels = {"citation": "The evidence's citation", "why": "A note (optional)"}
        help_texts = {
            "citation": "Authors, year, title and where it was published.",
            "why": "What it adds to what the page says, if you would like to tell us.",
        }
        widgets = {
            "citation": forms.Textarea(attrs={"rows": 3}),
            "why": forms.Textarea(attrs={"rows": 4}),
        }
        error_messages = {
            "citation": too_long("Give the citation"),
            "why": too_long("Write the note"),
        }

    def clean_link(self) -> str:
        """A DOI as its doi.org address; otherwise a web address."""
        given = self.cleaned_data["link"].strip()
        if not given:
            return ""
        if doi := DOI.fullmatch(given):
            return f"https://doi.org/{doi.group(1)}"
        try:
            return forms.URLField(assume_scheme="https").clean(given)
        except forms.ValidationError:
            raise forms.ValidationError(
                "Enter a DOI such as 10.1000/xyz123, or a web address such as "
                "https://www.example.org/report.pdf."
            ) from None

    def clean(self):
        cleaned = super().clean()
        if cleaned.keys() >= {"citation", "link"} and not (cleaned["citation"] or cleaned["link"]):
            self.add_error("citation", "Give the evidence's citation, or its DOI or a link.")
        return cleaned
