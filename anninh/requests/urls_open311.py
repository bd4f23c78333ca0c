"""Open311 GeoReport v2 (anninh.requests.open311): /open311/v2/..., each in .json and .xml."""

from django.urls import path, register_converter

from anninh.requests import open311


class FormatConverter:
    regex = "json|xml"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(FormatConverter, "open311fmt")

app_name = "open311"
urlpatterns = [
    path("services.<open311fmt:fmt>", open311.services_list, name="services"),
    path("services/<slug:code>.<open311fmt:fmt>", open311.service_detail, name="service"),
    path("requests.<open311fmt:fmt>", open311.requests_collection, name="requests"),
    path("requests/<slug:public_id>.<open311fmt:fmt>", open311.request_detail, name="request"),
    path("tokens/<slug:token>.<open311fmt:fmt>", open311.token_detail, name="token"),
]
