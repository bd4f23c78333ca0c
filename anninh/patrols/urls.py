from anninh.patrols.views import urlpatterns  # noqa: F401

app_name = "patrols"
