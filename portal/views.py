from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.contrib.sitemaps import views as sitemap_views
from django.contrib.sitemaps.views import SitemapIndexItem
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date
from django.views.generic import RedirectView, TemplateView

from catalogue.models import ChildOutcome, Intervention
from core.addresses import absolute_url
from core.cache import (
    ShowsNoRecordMixin,
    cached_for,
    cached_until_changed,
    depends_on_list,
    reads_query,
)
from core.clients import AddressLimit, too_many_requests
from core.search import SearchField, highlight, search_words
from projects.models import Organisation, Project
from ratings.models import RatingDefinition, Scale
from ratings.scales import EvidenceRating

from .data_files import DATA_FILE_NAMES, DATA_FILES, LICENCE_NAME, LICENCE_URL, current_files
from .glossary import TERMS
from .sitemaps import SITEMAPS

LATEST_PROJECTS_ON_HOME = 3


class HomeView(TemplateView):
    template_name = "home.html"
    query_parameters = ()

    def get_context_data(self, **kwargs):
        latest = list(Project.objects.published().for_cards()[:LATEST_PROJECTS_ON_HOME])
        depends_on_list(self.request, Project, latest)
        return super().get_context_data(
            latest_projects=latest, outcomes=ChildOutcome.objects.all(), **kwargs
        )


class FaviconView(RedirectView):
    """Browsers and crawlers ask for /favicon.ico whatever a page links to. The icon's
    address changes with its content, so the redirect is temporary."""

    query_parameters = ()

    def get_redirect_url(self, *args, **kwargs):
        return static("favicon.svg")


class HelpView(ShowsNoRecordMixin, TemplateView):
    """How to use the guidebook, and how programmes are chosen and rated: the ratings'
    own definitions, so this page and /ratings/ never disagree."""

    template_name = "portal/help.html"
    query_parameters = ()

    def get_context_data(self, **kwargs):
        definitions = RatingDefinition.objects.lookup()
        levels = [
            (rating, definitions.get((Scale.EVIDENCE, rating.value)))
            for rating in EvidenceRating.levels()
        ]
        return super().get_context_data(evidence_levels=levels, **kwargs)


class GlossaryView(ShowsNoRecordMixin, TemplateView):
    template_name = "portal/glossary.html"
    query_parameters = ()
    extra_context = {"terms": TERMS}


class SitePageView(ShowsNoRecordMixin, TemplateView):
    """A page of the site's own words (contact, privacy, cookies), with the settings it
    quotes read when it is shown."""

    query_parameters = ()

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            contact_email=settings.CONTACT_EMAIL,
            retention_days=settings.READER_ADDRESS_RETENTION_DAYS,
            session_hours=settings.SESSION_COOKIE_AGE // 3600,
            **kwargs,
        )


class AccessibilityView(ShowsNoRecordMixin, TemplateView):
    template_name = "accessibility.html"
    query_parameters = ()

    def get_context_data(self, **kwargs):
        # Read when the page is shown, not when the module is imported.
        return super().get_context_data(contact_email=settings.CONTACT_EMAIL, **kwargs)


class RobotsView(ShowsNoRecordMixin, TemplateView):
    template_name = "robots.txt"
    content_type = "text/plain; charset=utf-8"
    query_parameters = ()

    def get_context_data(self, **kwargs):
        sitemap_url = absolute_url(reverse("portal:sitemap"))
        return super().get_context_data(sitemap_url=sitemap_url, **kwargs)


RESULTS_PER_KIND = 100
RESULTS_PER_PAGE = 20


class SearchForm(forms.Form):
    q = SearchField(label="Search the portal", required=False)


@dataclass
class SearchResult:
    kind: str
    title: str
    url: str
    excerpt: str
    rank: float


def search_results(text: str) -> list[SearchResult]:
    """Published projects, interventions, outcomes and partners matching text, best first."""
    kinds = [
        ("Research project", Project.objects.published().ranked_search(text), "title"),
        ("Intervention", Intervention.objects.published().ranked_search(text), "name"),
        ("Child outcome", ChildOutcome.objects.ranked_search(text), "name"),
        ("Partner", Organisation.objects.with_published_projects().ranked_search(text), "name"),
    ]
    results = [
        SearchResult(
            kind=kind,
            title=getattr(row, title),
            url=row.get_absolute_url(),
            excerpt=highlight(row.headline or "", text) if kind != "Partner" else "",
            rank=float(row.rank),
        )
        for kind, queryset, title in kinds
        for row in queryset[:RESULTS_PER_KIND]
    ]
    return sorted(results, key=lambda result: -result.rank)


# How long the sitemap is kept, whatever changes: at tens of thousands of records it is
# the costliest page to make (a second or more), and search engines read it now and then.
SITEMAP_KEPT_SECONDS = 60 * 60


def kept_sitemap(parts: tuple, make_response) -> HttpResponse:
    """A sitemap file Django makes, kept for an hour rather than until the content changes."""

    def make() -> tuple[bytes, str | None]:
        made = make_response()
        made.render()
        return made.content, made.get("Last-Modified")

    content, modified = cached_for(parts, make, SITEMAP_KEPT_SECONDS)
    response = HttpResponse(content, content_type="application/xml")
    if modified:
        response["Last-Modified"] = modified
    return response


@reads_query()
def sitemap_index(request):
    """The sitemap index: each section's files, none of them longer than its limit, on the
    configured site address (Django's index would use the request's)."""

    def make_response() -> TemplateResponse:
        files = []
        for section, sitemap_class in SITEMAPS.items():
            sitemap = sitemap_class()
            location = absolute_url(reverse("portal:sitemap-section", args=[section]))
            latest = sitemap.get_latest_lastmod()
            for page in sitemap.paginator.page_range:
                suffix = f"?p={page}" if page > 1 else ""
                files.append(SitemapIndexItem(location + suffix, latest))
        return TemplateResponse(
            request, "sitemap_index.xml", {"sitemaps": files}, content_type="application/xml"
        )

    return kept_sitemap(("sitemap-index",), make_response)


@reads_query("p")
def sitemap_section(request, section: str):
    """One file of a section of the sitemap; `p` is its number when it has more than one."""
    if section not in SITEMAPS:
        raise Http404("There is no such section of the sitemap.")
    try:
        page = int(request.GET.get("p", "1"))
    except ValueError:
        raise Http404("There is no such page of the sitemap.") from None
    return kept_sitemap(
        ("sitemap", section, page),
        lambda: sitemap_views.sitemap(request, SITEMAPS, section=section),
    )


@reads_query("q", "page")
def search(request):
    """Search the whole portal; an empty or unusable query gets advice, not an error."""
    form = SearchForm(request.GET)
    text = form.cleaned_data["q"].strip() if form.is_valid() else ""
    if text:
        admission = AddressLimit("search", per_minute=settings.SEARCHES_PER_MINUTE).admit(request)
        if admission.refused:
            return too_many_requests(request, admission, "searches")
    # Kept until the content changes: the next page of results, or the same search again,
    # does not rank every match again.
    parts = ("site-search", *search_words(text))
    results = cached_until_changed(parts, lambda: search_results(text)) if text else []
    page = Paginator(results, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
    response = render(
        request,
        "search.html",
        {"form": form, "query": text, "page_obj": page, "paginator": page.paginator},
    )
    if form.errors:
        # Not kept in the cache: a refused query is as varied as those who type it.
        patch_cache_control(response, private=True)
    return response


# Seconds after which a visitor, or a script, may ask again for files still being made.
FILES_RETRY_AFTER = "60"


def files_unavailable() -> HttpResponse:
    response = HttpResponse(
        "The data files are being made; try again in a minute.\n",
        status=503,
        content_type="text/plain; charset=utf-8",
    )
    response["Retry-After"] = FILES_RETRY_AFTER
    return response


class DataView(TemplateView):
    """The bulk downloads: each file with its size, rows and time made, the data
    dictionary, the licence and how to cite it."""

    template_name = "portal/data.html"
    query_parameters = ()

    def get(self, request, *args, **kwargs):
        served = current_files()
        context = self.get_context_data(build=served.build, current=served.current, **kwargs)
        if served.build is None:
            # No files yet: the page, with its dictionary and licence, says so.
            response = self.render_to_response(context, status=503)
            response["Retry-After"] = FILES_RETRY_AFTER
            return response
        response = self.render_to_response(context)
        if not served.current:
            # Older files while newer are made: not kept as this content's page.
            patch_cache_control(response, private=True)
        return response

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            data_files=DATA_FILES, licence_name=LICENCE_NAME, licence_url=LICENCE_URL, **kwargs
        )


def data_file(request, name: str):
    """One bulk download, streamed from disk, answering 304 when the copy asked about is
    still current."""
    if name not in DATA_FILE_NAMES:
        raise Http404("There is no data file of that name.")
    served = current_files()
    if served.build is None:
        return files_unavailable()
    built = served.build.file(name)
    if built is None:
        raise Http404("There is no data file of that name.")
    etag = f'"{served.build.version}-{name}"'
    last_modified = served.build.made.timestamp()
    response = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if response is None:
        try:
            handle = built.path.open("rb")
        except FileNotFoundError:
            # Removed by a newer build since this one was read: a retry gets the newer.
            return files_unavailable()
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=name,
            content_type=f"{built.data_file.media_type}; charset=utf-8",
        )
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    patch_cache_control(response, public=True, no_cache=True)
    return response
