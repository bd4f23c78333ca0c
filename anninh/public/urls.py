from django.urls import path

from anninh.public import views

app_name = "public"
urlpatterns = [
    path("", views.warning_list, name="warning_list"),
    path("feed.atom", views.warning_feed, name="warning_feed"),
    path("<int:pk>/", views.warning_detail, name="warning_detail"),
    path("<int:pk>.cap", views.warning_cap, name="warning_cap"),
    path("manage/", views.manage_list, name="manage_list"),
    path("manage/new/", views.manage_new, name="manage_new"),
    path("manage/pattern/", views.manage_pattern, name="manage_pattern"),
    path("manage/<int:pk>/", views.manage_detail, name="manage_detail"),
    path("manage/<int:pk>/edit/", views.manage_edit, name="manage_edit"),
    path("manage/<int:pk>/<str:action>/", views.manage_step, name="manage_step"),
]
