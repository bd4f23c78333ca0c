"""CompStat API: the dashboard's aggregates and the analysis tools, mounted at /api/compstat/."""

from ninja import Router

from anninh.compstat.api_analysis import router as analysis_router
from anninh.compstat.api_dashboard import router as dashboard_router

router = Router()
router.add_router("", dashboard_router)
router.add_router("/analysis", analysis_router)
