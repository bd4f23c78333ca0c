from anninh.campaigns.views import urlpatterns  # noqa: F401

app_name = "campaigns"
