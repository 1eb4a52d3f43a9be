from django.conf import settings
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils.text import slugify
from django.views.generic import DetailView, ListView

from core.cache import InvalidFiltersNotCachedMixin, depends_on, depends_on_list, record_tag
from core.filtering import BackToResultsMixin, Control, FilteredListView, FilterGroup
from editors.addresses import FollowsFormerSlugsMixin, follows_former_slugs

from .filters import PartnerFilter, ProjectFilter
from .models import RELATED_TAG, Document, Organisation, Project, Role

RELATED_ON_PROJECT_PAGE = 4
PARTNERS_PER_PAGE = 50


class VisibleProjectMixin(FollowsFormerSlugsMixin):
    """Show published projects to everyone and drafts to staff only; old and withdrawn
    addresses answer 301 and 410."""

    slug_model = Project

    def get_queryset(self):
        return Project.objects.visible_to(self.request.user)


class ProjectListView(FilteredListView):
    filterset_class = ProjectFilter
    query_parameters = (*ProjectFilter.base_filters, "page")
    template_name = "projects/project_list.html"
    paginate_by = settings.PROJECTS_PER_PAGE

    def get_queryset(self):
        return Project.objects.published().for_cards()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        searched = bool(self.filterset.data.get("q"))
        depends_on_list(self.request, Project, context["object_list"], searched=searched)
        return context

    def get_filter_groups(self) -> list[FilterGroup]:
        group = self.filterset.group
        return [
            group("status", Control.CHECKBOXES),
            group("study_type", Control.CHECKBOXES),
            group("topic", Control.SELECT),
            self.filterset.partner_group(Control.SELECT),
        ]


class ProjectDetailView(VisibleProjectMixin, BackToResultsMixin, DetailView):
    template_name = "projects/project_detail.html"
    results_url_name = "projects:project-list"
    results_parameters = ProjectListView.query_parameters

    def get_object(self, queryset=None):
        try:
            return Project.objects.page(self.kwargs["slug"], drafts=self.request.user.is_staff)
        except Project.DoesNotExist:
            raise Http404("No project has this address.") from None

    def get_context_data(self, **kwargs):
        project = self.object
        partnerships = project.partnerships.all()
        ranked = Project.objects.related_ids(project)
        # The page lists related projects by title alone.
        related = Project.objects.only("title", "slug").in_order(ranked[:RELATED_ON_PROJECT_PAGE])
        # The interventions it lists are told of its changes, and it of theirs.
        depends_on(
            self.request,
            record_tag(Project, project.pk),
            RELATED_TAG,
            *(record_tag(Project, other.pk) for other in related),
        )
        return super().get_context_data(
            delivery_partners=[p.organisation for p in partnerships if p.role == Role.DELIVERY],
            evaluation_partners=[p.organisation for p in partnerships if p.role == Role.EVALUATION],
            related_projects=related,
            more_related=len(ranked) > RELATED_ON_PROJECT_PAGE,
            **kwargs,
        )


class RelatedProjectListView(VisibleProjectMixin, ListView):
    template_name = "projects/related_list.html"
    query_parameters = ("page",)
    paginate_by = settings.PROJECTS_PER_PAGE

    def get_queryset(self):
        self.project = get_object_or_404(super().get_queryset(), slug=self.kwargs["slug"])
        return Project.objects.related_ids(self.project)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(project=self.project, **kwargs)
        # The page holds ids, ranked; show the projects they stand for.
        context["page_obj"].object_list = Project.objects.for_cards().in_order(
            context["page_obj"].object_list
        )
        shown = context["page_obj"].object_list
        depends_on(self.request, record_tag(Project, self.project.pk), RELATED_TAG)
        depends_on(self.request, *(record_tag(Project, project.pk) for project in shown))
        return context


class PartnerDetailView(FollowsFormerSlugsMixin, DetailView):
    model = slug_model = Organisation
    template_name = "projects/partner_detail.html"
    query_parameters = ()
    context_object_name = "organisation"

    def get_context_data(self, **kwargs):
        partnerships = (
            self.object.partnerships.filter(project__published=True)
            .select_related("project")
            .prefetch_related(Prefetch("project__topics", to_attr="card_topics"))
            .order_by("role", "-project__created", "project__title")
        )
        depends_on_list(self.request, Project, [p.project for p in partnerships])
        return super().get_context_data(
            delivered=[p.project for p in partnerships if p.role == Role.DELIVERY],
            evaluated=[p.project for p in partnerships if p.role == Role.EVALUATION],
            **kwargs,
        )


class PartnerListView(InvalidFiltersNotCachedMixin, ListView):
    """Every partner of a published project, A to Z, with its number of projects: the way
    to the partners the project list's Partner select leaves out."""

    template_name = "projects/partner_list.html"
    query_parameters = ("q", "page")
    paginate_by = PARTNERS_PER_PAGE
    context_object_name = "partners"

    def get_queryset(self):
        self.filterset = PartnerFilter(
            self.request.GET, queryset=Organisation.objects.with_project_counts().order_by("name")
        )
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        searched = self.filterset.form.cleaned_data.get("q", "")
        return super().get_context_data(filter=self.filterset, searched=searched, **kwargs)


@follows_former_slugs(Project)
def document_download(request, slug: str, pk: int):
    """Send a project's document as an attachment named after its title."""
    project = get_object_or_404(Project.objects.visible_to(request.user), slug=slug)
    document = get_object_or_404(Document, project=project, pk=pk)
    if not document.file:
        raise Http404("This document has no file yet.")
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404("This document's file is missing.") from None
    filename = f"{slugify(document.title) or 'document'}.{document.file_type.lower()}"
    return FileResponse(
        handle, as_attachment=True, filename=filename, content_type=document.content_type
    )
