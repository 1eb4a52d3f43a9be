from django.urls import path, re_path

from . import views

app_name = "api"


def endpoint(name: str, list_view, record_view) -> list:
    """A list at <name>/ and each of its records at <name>/<id>/."""
    return [
        path(f"{name}/", list_view.as_view(), name=f"{name}-list"),
        path(f"{name}/<str:pk>/", record_view.as_view(), name=f"{name}-detail"),
    ]


urlpatterns = [
    path("", views.Root.as_view(), name="root"),
    path("openapi.json", views.OpenApiDocument.as_view(), name="openapi"),
    path("docs/", views.Docs.as_view(), name="docs"),
    path(
        "interventions/<str:pk>/history/",
        views.InterventionHistory.as_view(),
        name="interventions-history",
    ),
    *endpoint("interventions", views.InterventionList, views.InterventionRecord),
    *endpoint("studies", views.StudyList, views.StudyRecord),
    *endpoint("findings", views.FindingList, views.FindingRecord),
    *endpoint("outcomes", views.OutcomeList, views.OutcomeRecord),
    *endpoint("projects", views.ProjectList, views.ProjectRecord),
    *endpoint("organisations", views.OrganisationList, views.OrganisationRecord),
    *endpoint("review-items", views.ReviewItemList, views.ReviewItemRecord),
    # Any other address under the API answers as the API does, in JSON.
    re_path(r"^.*$", views.NotFound.as_view(), name="not-found"),
]
