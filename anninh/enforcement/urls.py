from anninh.enforcement.views import urlpatterns  # noqa: F401

app_name = "enforcement"
