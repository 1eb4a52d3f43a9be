from django.urls import path

from . import views
from .badges import InterventionBadgeView
from .feeds import GuidebookFeed
from .pipeline import ReviewPipelineFeed, ReviewPipelineView

app_name = "catalogue"

urlpatterns = [
    path("interventions/", views.GuidebookView.as_view(), name="guidebook"),
    path("interventions/compare/", views.compare, name="compare"),
    path("interventions/feed/", GuidebookFeed(), name="guidebook-feed"),
    path("interventions/under-review/", ReviewPipelineView.as_view(), name="under-review"),
    path("interventions/under-review/feed/", ReviewPipelineFeed(), name="under-review-feed"),
    path(
        "interventions/other-programmes/",
        views.OtherProgrammesView.as_view(),
        name="other-programmes",
    ),
    path(
        "interventions/<slug:slug>/",
        views.InterventionDetailView.as_view(),
        name="intervention-detail",
    ),
    path(
        "interventions/<slug:slug>/badge.svg",
        InterventionBadgeView.as_view(),
        name="intervention-badge",
    ),
    path("outcomes/<slug:slug>/", views.OutcomeDetailView.as_view(), name="outcome-detail"),
]
