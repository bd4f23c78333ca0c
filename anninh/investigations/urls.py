from django.urls import path

from anninh.investigations import views_analysis as a
from anninh.investigations import views_documents as d
from anninh.investigations.views import urlpatterns as base

app_name = "investigations"

urlpatterns = [
    *base,
    path("provinces.geojson", a.provinces_geojson, name="provinces"),
    path("<int:pk>/network/", a.network, name="network"),
    path("<int:pk>/money-flow/", a.money_flow, name="money_flow"),
    path("<int:pk>/timeline/", a.timeline, name="timeline"),
    path("<int:pk>/totals/<slug:name>/", a.total_detail, name="total"),
    path("seals/", d.seal_register, name="seals"),
    path("<int:pk>/documents/", d.document_list, name="documents"),
    path("<int:pk>/documents/<int:did>/", d.document_detail, name="document"),
    path("<int:pk>/documents/<int:did>/photo", d.document_photo, name="document_photo"),
]
