"""The public's routes to the editors. The forms work without JavaScript, an account or a
cookie: the public get no cookies, so they are exempt from Django's CSRF check, which
needs one; a form sent from another site is refused by the browser's own word for where
it came from instead. Nothing a visitor sends can make the site link elsewhere."""

from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import FormView, TemplateView

from catalogue.models import Intervention
from core.addresses import public_page_path
from core.clients import AddressLimit, too_many_requests

from .forms import EvidenceForm, ProblemReportForm, SuggestionForm
from .mail import send_report_mail
from .models import Kind, ReaderReport


def refused(request, reason: str):
    context = {"reason": reason, "contact_email": settings.CONTACT_EMAIL}
    return render(request, "feedback/refused.html", context, status=400)


@method_decorator(csrf_exempt, name="dispatch")
class ReaderFormView(FormView):
    """A form a reader sends the editors: refused if it comes from another site, fills in
    the bot trap, or is one too many from its address; otherwise stored, then mailed."""

    kind: Kind
    title: str
    button: str
    template_name = "feedback/reader_form.html"

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "retention_days": settings.READER_ADDRESS_RETENTION_DAYS,
        }

    def about_page(self) -> str:
        """The page of this site the message is about, or "" for none."""
        return ""

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            page=self.about_page(), title=self.title, button=self.button, **kwargs
        )

    def post(self, request, *args, **kwargs):
        if request.headers.get("sec-fetch-site") == "cross-site":
            return refused(request, "It was sent from another website, not from this one.")
        form = self.get_form()
        if form.caught_a_bot():
            return refused(
                request,
                "A box that people cannot see was filled in, as programs that send forms "
                "automatically do.",
            )
        if not form.is_valid():
            return self.form_invalid(form)
        admission = AddressLimit("feedback", per_hour=settings.FEEDBACK_PER_HOUR).admit(request)
        if admission.refused:
            return too_many_requests(
                request, admission, "messages", template_name="feedback/too_many.html"
            )
        return self.form_valid(form)

    def form_valid(self, form):
        report = form.save(commit=False)
        report.kind = self.kind
        report.page = self.about_page()
        self.complete(report)
        report.save()
        # Mail only once the report is stored for certain; what fails is retried.
        transaction.on_commit(lambda: send_report_mail(report))
        query = {"kind": report.kind, **({"page": report.page} if report.page else {})}
        return redirect(reverse("feedback:sent") + "?" + urlencode(query))

    def complete(self, report: ReaderReport) -> None:
        """Fill in what the form's own fields do not give."""

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


class ReportProblemView(ReaderFormView):
    """Report a problem with a page: /feedback/?page=<path>."""

    kind = Kind.PROBLEM
    form_class = ProblemReportForm
    template_name = "feedback/report_problem.html"
    title = "Report a problem with a page"
    button = "Send report"

    def about_page(self) -> str:
        source = self.request.POST if self.request.method == "POST" else self.request.GET
        return public_page_path(source.get("page", ""))


class SuggestProgrammeView(ReaderFormView):
    """Suggest a programme for the guidebook: /interventions/suggest/."""

    kind = Kind.SUGGESTION
    form_class = SuggestionForm
    template_name = "feedback/suggest_programme.html"
    title = "Suggest a programme"
    button = "Send suggestion"


class SendEvidenceView(ReaderFormView):
    """Send new evidence for a listed intervention, from its page."""

    kind = Kind.EVIDENCE
    form_class = EvidenceForm
    template_name = "feedback/send_evidence.html"
    title = "Send new evidence"
    button = "Send evidence"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        # Before dispatch, which carries the exemption from the CSRF check.
        self.intervention = get_object_or_404(Intervention.objects.published(), slug=kwargs["slug"])

    def about_page(self) -> str:
        return self.intervention.get_absolute_url()

    def get_context_data(self, **kwargs):
        return super().get_context_data(intervention=self.intervention, **kwargs)

    def complete(self, report: ReaderReport) -> None:
        report.intervention = self.intervention


class SentView(TemplateView):
    """The confirmation, after a redirect, so that reloading it sends nothing twice."""

    template_name = "feedback/sent.html"

    def get_context_data(self, **kwargs):
        page = public_page_path(self.request.GET.get("page", ""))
        kind = self.request.GET.get("kind")
        return super().get_context_data(
            page=page, kind=kind if kind in Kind.values else Kind.PROBLEM, **kwargs
        )
