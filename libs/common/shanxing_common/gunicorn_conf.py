"""gunicorn settings shared by the services (``--config python:shanxing_common.gunicorn_conf``)."""
import os

graceful_timeout = 20
timeout = 60
keepalive = 5
accesslog = None  # the app logs requests as JSON itself
# The C parser (gunicorn-h1c, a dependency): a tenth of a small request's CPU went to parsing it in
# Python. "fast" rather than "auto", so a missing build fails at start instead of slowing down.
http_parser = "fast"
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None


def child_exit(server, worker):  # keep Prometheus multiprocess files tidy
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


def post_fork(server, worker):
    """`serve` execs gunicorn, so logging is set up again in each worker: JSON lines on stderr."""
    from shanxing_common.logs import configure

    configure(server.cfg.proc_name.removeprefix("shanxing-"))
