from anninh.hotspots.views import urlpatterns  # noqa: F401

app_name = "hotspots"
