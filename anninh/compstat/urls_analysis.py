from django.urls import path

from anninh.compstat import views_analysis

urlpatterns = [
    path("near-repeat/", views_analysis.near_repeat, name="near_repeat"),
    path("hot-spots/", views_analysis.hot_spots, name="hot_spots"),
]
