from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from .views import AccessibilityView, HomeView, RobotsView, search, sitemap

admin.site.site_header = "Evidence portal editors"
admin.site.site_title = "Evidence portal editors"
admin.site.index_title = "Keep the catalogue current"

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("search/", search, name="search"),
    path("accessibility/", AccessibilityView.as_view(), name="accessibility"),
    path("sitemap.xml", sitemap, name="sitemap"),
    path("robots.txt", RobotsView.as_view(), name="robots"),
    path("", include("projects.urls")),
    path("", include("catalogue.urls")),
    path("", include("ratings.urls")),
    path(settings.ADMIN_URL, admin.site.urls),
]

# A friendly 503 when the database cannot be reached (config.health).
handler500 = "config.health.server_error"
