"""Gunicorn settings shared by `fedi serve` and the Procfile (`-c python:fedi.gunicorn_conf`)."""

import os

from fedi.config import env_bool

timeout = 60
graceful_timeout = 30
keepalive = 5
# One line per request on stdout when ACCESS_LOG is true. Off by default: behind a reverse proxy
# (which logs requests itself) it would cost a tenth of a small request's time.
accesslog = "-" if env_bool(os.environ.get("ACCESS_LOG"), False) else None
# Several instances on one machine (tests, benchmarks) must not share ~/.gunicorn/gunicorn.ctl.
control_socket_disable = True
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'


def post_worker_init(worker) -> None:
    """On the embedded default (no Redis) each web worker also runs the task queue."""
    app = worker.wsgi
    if app.config["FEDI"].embedded:
        from fedi import queue

        queue.start_in_process_consumer()


def worker_exit(server, worker) -> None:
    from fedi import queue

    queue.stop_in_process_consumer()
