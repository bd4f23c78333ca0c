from django.urls import path

urlpatterns = [path("", lambda r: None, name="home")]
