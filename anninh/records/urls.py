"""Records pages. Each views module owns its URL list; they are mounted here under /records/."""

from anninh.records.views import cases, incidents, io, persons, reports

app_name = "records"
urlpatterns = [
    *reports.urlpatterns,
    *persons.urlpatterns,
    *incidents.urlpatterns,
    *cases.urlpatterns,
    *io.urlpatterns,
]
