"""Records API, mounted at /api/records/ (see anninh/api.py)."""

from ninja import Router

from anninh.records.api import cases, incidents, io, persons, reports

router = Router()
router.add_router("/reports", reports.router)
router.add_router("/persons", persons.router)
router.add_router("/incidents", incidents.router)
router.add_router("/cases", cases.router)
router.add_router("/io", io.router)
