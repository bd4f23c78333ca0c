from django.templatetags.static import static
from django.urls import path
from django.views.generic import RedirectView

from anninh.web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("language/", views.set_language, name="set_language"),
    path("language/public/", views.public_language, name="public_language"),
    # Browsers ask for /favicon.ico on pages without an icon link (the admin, JSON answers).
    path("favicon.ico", RedirectView.as_view(url=static("web/favicon.svg"), permanent=True), name="favicon"),
]
