from django.urls import path

from anninh.requests import views_public, views_staff

app_name = "requests"
urlpatterns = [
    path("", views_public.submit, name="submit"),
    path("track/", views_public.track, name="track"),
    path("staff/", views_staff.queue, name="staff_queue"),
    path("staff/indicators/", views_staff.indicators_page, name="staff_indicators"),
    path("staff/<int:pk>/", views_staff.detail, name="staff_detail"),
    path("staff/<int:pk>/<str:action>/", views_staff.step, name="staff_step"),
    path("staff/attachments/<int:pk>/", views_staff.attachment, name="staff_attachment"),
]
