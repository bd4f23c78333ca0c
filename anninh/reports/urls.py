from anninh.reports.views import urlpatterns  # noqa: F401

app_name = "reports"
