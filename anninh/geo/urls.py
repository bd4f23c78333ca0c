from django.urls import path

from anninh.geo import views

app_name = "geo"
urlpatterns = [
    path("communes/", views.commune_list, name="commune_list"),
    path("communes/<str:code>/", views.commune_detail, name="commune_detail"),
]
