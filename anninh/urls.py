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
    path("enforcement/", include("anninh.enforcement.urls")),
    path("campaigns/", include("anninh.campaigns.urls")),
    path("warnings/", include("anninh.public.urls")),
    path("events/", include("anninh.events.urls")),
    path("civil-defence/", include("anninh.civildefence.urls")),
    path("requests/", include("anninh.requests.urls")),
    path("open311/v2/", include("anninh.requests.urls_open311")),
    path("investigations/", include("anninh.investigations.urls")),
    path("alerts/", include("anninh.alerts.urls")),
    path("field/", include("anninh.field.urls")),
    path("business/", include("anninh.business.urls")),
    path("transparency/", include("anninh.public.transparency_urls")),
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

handler400 = "anninh.web.views.bad_request"
