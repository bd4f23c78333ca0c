from anninh.alerts.views import urlpatterns  # noqa: F401

app_name = "alerts"
