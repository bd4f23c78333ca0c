"""URL map: each app owns its own prefix; the API is assembled in anninh.api."""

from django.contrib import admin
from django.urls import include, path

from anninh.api import api

urlpatterns = [
    path("", include("anninh.web.urls")),
    path("accounts/", include("anninh.accounts.urls")),
    path("geo/", include("anninh.geo.urls")),
    path("org/", include("anninh.org.urls")),
    path("audit/", include("anninh.audit.urls")),
    path("records/", include("anninh.records.urls")),
    path("compstat/", include("anninh.compstat.urls")),
    path("reports/", include("anninh.reports.urls")),
    path("hotspots/", include("anninh.hotspots.urls")),
    path("patrols/", include("anninh.patrols.urls")),
    path("warnings/", include("anninh.public.urls")),
    path("business/", include("anninh.business.urls")),
    path("transparency/", include("anninh.public.transparency_urls")),
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

handler400 = "anninh.web.views.bad_request"
