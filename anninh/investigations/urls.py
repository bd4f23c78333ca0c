from anninh.investigations.views import urlpatterns  # noqa: F401

app_name = "investigations"
