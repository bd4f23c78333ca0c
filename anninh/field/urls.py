from anninh.field.views import urlpatterns  # noqa: F401

app_name = "field"
