from django.urls import path

from anninh.public import transparency_views

app_name = "transparency"
urlpatterns = [
    path("", transparency_views.transparency_page, name="page"),
]
