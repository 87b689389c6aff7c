"""HTTP to the services: one pooled requests.Session per process, created lazily after a fork."""
from __future__ import annotations

import os
import threading
import time

import requests
from prometheus_client import Histogram
from requests.adapters import HTTPAdapter

UPSTREAM_LATENCY = Histogram("shanxing_gateway_upstream_seconds", "Time the services took to answer",
                             ["upstream", "status"])


class UpstreamError(Exception):
    def __init__(self, service: str, detail: str):
        super().__init__(detail)
        self.service = service
        self.detail = detail


class UpstreamUnavailable(UpstreamError):
    """The service could not be reached or broke the connection (answered 502)."""


class UpstreamTimeout(UpstreamError):
    """The service did not connect or answer in time (answered 504)."""


class Upstreams:
    def __init__(self, peers: dict[str, str], *, connect_timeout: float, read_timeout: float,
                 pool_size: int = 20):
        self.peers = {name: url.rstrip("/") for name, url in peers.items()}
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.pool_size = pool_size
        self._session: requests.Session | None = None
        self._pid: int | None = None
        self._lock = threading.Lock()

    def base_url(self, service: str) -> str:
        try:
            return self.peers[service]
        except KeyError:
            raise UpstreamUnavailable(service, f"no address configured for {service}") from None

    def session(self) -> requests.Session:
        # A session's sockets must not be shared with a forked child: make a new one per process.
        pid = os.getpid()
        if self._session is None or self._pid != pid:
            with self._lock:
                if self._session is None or self._pid != pid:
                    session = requests.Session()
                    session.trust_env = False  # no proxies from the environment between services
                    adapter = HTTPAdapter(pool_connections=len(self.peers) or 1,
                                          pool_maxsize=self.pool_size, max_retries=0)
                    session.mount("http://", adapter)
                    session.mount("https://", adapter)
                    self._session, self._pid = session, pid
        return self._session

    def request(self, service: str, method: str, path_with_query: str, *, headers: dict | None = None,
                data: bytes | None = None, json=None, read_timeout: float | None = None) -> requests.Response:
        url = self.base_url(service) + path_with_query
        started = time.perf_counter()
        status = "error"
        try:
            response = self.session().request(
                method, url, headers=headers, data=data, json=json, allow_redirects=False,
                timeout=(self.connect_timeout, read_timeout or self.read_timeout))
            status = str(response.status_code)
            return response
        except requests.Timeout as exc:  # ConnectTimeout and ReadTimeout
            status = "timeout"
            raise UpstreamTimeout(service, f"{service} did not answer in time") from exc
        except requests.RequestException as exc:
            raise UpstreamUnavailable(service, f"{service} is unavailable") from exc
        finally:
            UPSTREAM_LATENCY.labels(service, status).observe(time.perf_counter() - started)
