from django.urls import path

from . import views
from .feeds import ProjectFeed

app_name = "projects"

urlpatterns = [
    path("projects/", views.ProjectListView.as_view(), name="project-list"),
    path("projects/feed/", ProjectFeed(), name="project-feed"),
    path("projects/<slug:slug>/", views.ProjectDetailView.as_view(), name="project-detail"),
    path(
        "projects/<slug:slug>/related/",
        views.RelatedProjectListView.as_view(),
        name="related-list",
    ),
    path(
        "projects/<slug:slug>/documents/<int:pk>/",
        views.document_download,
        name="document-download",
    ),
    path("partners/", views.PartnerListView.as_view(), name="partner-list"),
    path("partners/<slug:slug>/", views.PartnerDetailView.as_view(), name="partner-detail"),
]
