from django.urls import path

from . import views

app_name = "ratings"

urlpatterns = [
    path("ratings/", views.RatingsExplainedView.as_view(), name="explained"),
]
