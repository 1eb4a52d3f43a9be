"""The site's URLs under /catalogue/, for tests of addresses reversed once a process."""

from django.urls import include, path

urlpatterns = [path("catalogue/", include("config.urls"))]
