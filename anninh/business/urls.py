from django.urls import path

from anninh.business import views

app_name = "business"
urlpatterns = [
    # The business portal: business accounts only.
    path("", views.portal_home, name="home"),
    path("login/", views.portal_login, name="login"),
    path("logout/", views.portal_logout, name="logout"),
    path("recommendations/<int:pk>/", views.portal_recommendation, name="portal_recommendation"),
    # Staff pages.
    path("manage/", views.recommendation_list, name="recommendation_list"),
    path("manage/businesses/", views.business_list, name="business_list"),
    path("manage/businesses/<int:pk>/", views.business_detail, name="business_detail"),
    path("manage/parks/", views.park_create, name="park_create"),
    path("manage/meetings/", views.meeting_list, name="meeting_list"),
    path("manage/meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("manage/recommendations/<int:pk>/", views.recommendation_detail, name="recommendation_detail"),
    path(
        "manage/recommendations/<int:pk>/<str:action>/", views.recommendation_step, name="recommendation_step"
    ),
]
