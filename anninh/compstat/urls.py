"""CompStat pages: the dashboard (urls_dashboard) and the analysis tools (urls_analysis)."""

from anninh.compstat.urls_analysis import urlpatterns as analysis_urls
from anninh.compstat.urls_dashboard import urlpatterns as dashboard_urls

app_name = "compstat"
urlpatterns = [*dashboard_urls, *analysis_urls]
