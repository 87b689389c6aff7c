"""Rough gateway throughput: a trivial upstream and a closed-loop client (not a test).

1. The stand-in service (answers every request with a small JSON body):
       .venv/bin/gunicorn --chdir services/gateway/bench --bind 127.0.0.1:18100 \\
           --workers 2 --threads 8 closed_loop:upstream
2. The gateway pointed at it (dev mode; the person limit raised so the run is not refused):
       SHANXING_ENV=dev SHANXING_DATA_DIR=/tmp/gw-bench SHANXING_PERSON_RATE_PER_MINUTE=100000000 \\
       SHANXING_{REGISTRY,ACTIVITIES,POINTS}_URL=http://127.0.0.1:18100 (each) \\
       shanxing-gateway migrate && shanxing-gateway serve --port 18000
3. The load: N client threads, each on one keep-alive connection, for S seconds:
       .venv/bin/python services/gateway/bench/closed_loop.py 18000 /healthz 8 5
       .venv/bin/python services/gateway/bench/closed_loop.py 18000 /api/v1/activities 8 5
       .venv/bin/python services/gateway/bench/closed_loop.py 18000 /api/v1/points/me 8 5 <access token>
   (a token: PeopleTokens(<$SHANXING_DATA_DIR/secrets/jwt.key>, 3600).issue("someone", []).access_token)

The client shares the machine with the gateway, so compare runs with each other, not with production.
"""
from __future__ import annotations

import http.client
import sys
import threading
import time

UPSTREAM_BODY = b'{"items": [], "next": null}'


def upstream(environ, start_response):
    """WSGI app standing in for a service."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    if length:
        environ["wsgi.input"].read(length)
    start_response("200 OK", [("Content-Type", "application/json"),
                              ("Content-Length", str(len(UPSTREAM_BODY)))])
    return [UPSTREAM_BODY]


def run(port: int, path: str, clients: int, seconds: float, headers: dict) -> tuple[float, dict]:
    """Requests per second over the run, and how many of each status."""
    counts, statuses = [0] * clients, {}
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(index: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.monotonic() < stop:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            with lock:
                statuses[response.status] = statuses.get(response.status, 0) + 1
            counts[index] += 1
            if (response.getheader("Connection") or "").lower() == "close":  # sync workers close
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / (time.monotonic() - started), statuses


if __name__ == "__main__":
    port, path, clients, seconds = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    headers = {"Authorization": f"Bearer {sys.argv[5]}"} if len(sys.argv) > 5 else {}
    rate, statuses = run(port, path, clients, seconds, headers)
    print(f"{path}  clients={clients}  {rate:.0f} req/s  {statuses}")
