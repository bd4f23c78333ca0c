"""WSGI entry point (e.g. `gunicorn anninh.wsgi`, and `manage.py runserver` through
WSGI_APPLICATION)."""

import os

from django.core.wsgi import get_wsgi_application

from anninh.env import envbool
from anninh.lib.gc_tuning import settle

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anninh.settings")
application = get_wsgi_application()

# Start-up is done: freeze what it loaded and space out the collections (anninh/lib/gc_tuning.py;
# the measurements in benchmarks/results/gc-pauses.md). ANNINH_GC_TUNE=0 keeps Python's defaults.
if envbool("ANNINH_GC_TUNE", True):
    settle()
