"""gunicorn settings for anninh in production (`gunicorn -c deploy/gunicorn.conf.py`).

    cd /srv/anninh && .venv/bin/gunicorn -c deploy/gunicorn.conf.py

The WSGI application is `anninh.wsgi:application`. Every setting below can be changed by the
environment (listed) or on the command line (`gunicorn -c deploy/gunicorn.conf.py --workers 3`,
or `GUNICORN_CMD_ARGS`), which wins over this file.

| variable | default | meaning |
|---|---|---|
| `ANNINH_BIND` | 127.0.0.1:8000 | address to listen on (a reverse proxy in front: TLS, slow clients) |
| `ANNINH_WORKERS` | 2 x cores + 1, at most 9 | worker processes |
| `ANNINH_THREADS` | 2 | threads per worker (gthread) |
| `ANNINH_TIMEOUT` | 60 | seconds before a silent worker is killed (the longest request is a PDF report) |
| `ANNINH_ACCESS_LOG` | - (stdout) | access log file; empty to turn it off |
| `ANNINH_GC_TUNE` | 1 | freeze start-up objects and space out garbage collections (0: Python's defaults) |

Measured with benchmarks/load/ (results in benchmarks/results/load-*.md): with 70 concurrent
API users on two cores shared with other work the server was CPU-bound (p95 of several
seconds, no errors); a request of the load run's mix costs ~50 ms of Python and ~18 ms of
PostgreSQL CPU (load-cpu-profile.md), so size the cores for the request rate, not the workers.
On SQLite writes are serialised by the database whatever the number of workers; the same
settings are fine there.
"""

from __future__ import annotations

import gc
import multiprocessing
import os

wsgi_app = "anninh.wsgi:application"
bind = [os.environ.get("ANNINH_BIND", "127.0.0.1:8000")]

# Django is CPU-bound Python: processes for the cores, a second thread each to overlap the
# waits on the database. gthread workers also keep idle keep-alive connections cheap.
workers = int(os.environ.get("ANNINH_WORKERS", min(2 * multiprocessing.cpu_count() + 1, 9)))
worker_class = "gthread"
threads = int(os.environ.get("ANNINH_THREADS", 2))

timeout = int(os.environ.get("ANNINH_TIMEOUT", 60))
graceful_timeout = 30
# Longer than any client or proxy keeps an idle connection (nginx: keepalive_timeout 60 s for
# upstreams): the side that closes an idle connection must be the client, or a request sent
# just as the server closes it is reset without an answer. The first load run, with 5 s, lost
# 12 requests of 3,267 that way (benchmarks/results/load-postgres.md). gthread workers keep idle
# connections in a poller, not in a thread, so this costs little.
keepalive = 75

# Recycle workers now and then (any slow leak is bounded); the jitter keeps them from all
# restarting at once.
max_requests = 2000
max_requests_jitter = 200

# Load the application once in the master and fork the workers from it: start-up is paid once,
# and the loaded code and data (geometry, offence tables) are shared copy-on-write.
preload_app = True

# Only the local reverse proxy may say which scheme the client used.
forwarded_allow_ips = "127.0.0.1"

accesslog = os.environ.get("ANNINH_ACCESS_LOG", "-") or None
errorlog = "-"
loglevel = os.environ.get("ANNINH_GUNICORN_LOG_LEVEL", "info")
proc_name = "anninh"


def when_ready(server):
    """In the master, once the application is loaded and before any worker is forked."""
    # A connection opened while loading must not be shared by the forked workers.
    from django.db import connections

    connections.close_all()
    # Move everything loaded so far to the permanent generation: the garbage collector then
    # never walks (and so never writes to) these objects in the workers, which keeps the pages
    # shared between the master and the workers instead of copied into each one.
    gc.freeze()


def post_fork(server, worker):
    # The worker starts from the frozen master; objects made in between are frozen too, and the
    # collections are spaced out (anninh/lib/gc_tuning.py: without this a full collection of the
    # whole loaded application took 170-256 ms about once in ten requests, issue #15).
    from anninh.env import envbool
    from anninh.lib.gc_tuning import THRESHOLDS

    gc.freeze()
    if envbool("ANNINH_GC_TUNE", True):
        gc.set_threshold(*THRESHOLDS)
