from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from .views import HomeView

admin.site.site_header = "Evidence portal editors"
admin.site.site_title = "Evidence portal editors"
admin.site.index_title = "Keep the catalogue current"

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("", include("projects.urls")),
    path("", include("catalogue.urls")),
    path("", include("ratings.urls")),
    path(settings.ADMIN_URL, admin.site.urls),
]
