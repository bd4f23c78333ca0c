from anninh.events.views import app_name, urlpatterns  # noqa: F401
