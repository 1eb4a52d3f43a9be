from django.conf import settings
from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Evidence portal editors"
admin.site.site_title = "Evidence portal editors"
admin.site.index_title = "Keep the catalogue current"

urlpatterns = [
    path("", include("portal.urls")),
    path("", include("projects.urls")),
    # Before the catalogue's: /interventions/suggest/ is not an intervention.
    path("", include("feedback.urls")),
    path("", include("catalogue.urls")),
    path("", include("ratings.urls")),
    path("api/v1/", include("api.urls")),
    # Before the admin's own, which answers any other address under it.
    path("", include("editors.urls")),
    path(settings.ADMIN_URL, admin.site.urls),
]

# A friendly 503 when the database cannot be reached (core.health).
handler500 = "core.health.server_error"
