from django.urls import path

from . import views

app_name = "feedback"

urlpatterns = [
    path("feedback/", views.ReportProblemView.as_view(), name="report"),
    path("feedback/sent/", views.SentView.as_view(), name="sent"),
    path("interventions/suggest/", views.SuggestProgrammeView.as_view(), name="suggest"),
    path(
        "interventions/<slug:slug>/evidence/",
        views.SendEvidenceView.as_view(),
        name="send-evidence",
    ),
]
