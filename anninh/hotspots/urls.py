app_name = "hotspots"
urlpatterns: list = []
