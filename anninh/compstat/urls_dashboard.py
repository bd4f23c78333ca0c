from django.urls import path

from anninh.compstat import views_dashboard

urlpatterns = [
    path("", views_dashboard.dashboard, name="dashboard"),
]
