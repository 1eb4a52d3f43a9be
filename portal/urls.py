from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("search/", views.search, name="search"),
    path("accessibility/", views.AccessibilityView.as_view(), name="accessibility"),
    path("help/", views.HelpView.as_view(), name="help"),
    path("help/glossary/", views.GlossaryView.as_view(), name="glossary"),
    path(
        "contact/", views.SitePageView.as_view(template_name="portal/contact.html"), name="contact"
    ),
    path(
        "privacy/", views.SitePageView.as_view(template_name="portal/privacy.html"), name="privacy"
    ),
    path(
        "cookies/", views.SitePageView.as_view(template_name="portal/cookies.html"), name="cookies"
    ),
    path("sitemap.xml", views.sitemap_index, name="sitemap"),
    path("sitemap-<slug:section>.xml", views.sitemap_section, name="sitemap-section"),
    path("robots.txt", views.RobotsView.as_view(), name="robots"),
    path("favicon.ico", views.FaviconView.as_view(), name="favicon"),
    path("data/", views.DataView.as_view(), name="data"),
    path("data/<str:name>", views.data_file, name="data-file"),
]
