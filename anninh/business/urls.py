from django.urls import path

from anninh.business import views

app_name = "business"
urlpatterns = [
    # The business portal: business accounts only.
    path("", views.portal_home, name="home"),
    path("login/", views.portal_login, name="login"),
    path("logout/", views.portal_logout, name="logout"),
    path("recommendations/<int:pk>/", views.portal_recommendation, name="portal_recommendation"),
    # The one-time link on which a new business account sets its own password (anyone holding it).
    path("set-password/<str:uidb64>/<str:token>/", views.set_password, name="set_password"),
    # Staff pages.
    path("manage/", views.recommendation_list, name="recommendation_list"),
    path("manage/businesses/", views.business_list, name="business_list"),
    path("manage/businesses/<int:pk>/", views.business_detail, name="business_detail"),
    path("manage/businesses/<int:pk>/accounts/", views.account_list, name="account_list"),
    path("manage/accounts/<int:pk>/link/", views.account_link, name="account_link"),
    path("manage/accounts/<int:pk>/disable/", views.account_disable, name="account_disable"),
    path("manage/parks/", views.park_create, name="park_create"),
    path("manage/meetings/", views.meeting_list, name="meeting_list"),
    path("manage/meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("manage/recommendations/<int:pk>/", views.recommendation_detail, name="recommendation_detail"),
    path(
        "manage/recommendations/<int:pk>/<str:action>/", views.recommendation_step, name="recommendation_step"
    ),
]
