"""Open311 GeoReport v2 (anninh.requests.open311): /open311/v2/..."""

from django.urls import re_path

from anninh.requests import open311

FMT = r"\.(?P<fmt>json|xml)$"

app_name = "open311"
urlpatterns = [
    re_path(r"^services" + FMT, open311.services_list, name="services"),
    re_path(r"^services/(?P<code>[-a-zA-Z0-9_]+)" + FMT, open311.service_detail, name="service"),
    re_path(r"^requests" + FMT, open311.requests_collection, name="requests"),
    re_path(r"^requests/(?P<public_id>[-A-Za-z0-9]+)" + FMT, open311.request_detail, name="request"),
    re_path(r"^tokens/(?P<token>[a-f0-9]+)" + FMT, open311.token_detail, name="token"),
]
