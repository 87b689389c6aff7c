"""HTTP to the services: one urllib3 connection pool per process, created lazily after a fork.

urllib3 directly rather than requests: the gateway needs nothing requests adds on top (cookies,
redirects, environment proxies, auth hooks), and that layer cost about as much CPU per forwarded
request as the whole urllib3 round trip (see the README, "Performance").
"""
from __future__ import annotations

import json as jsonlib
import os
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import urllib3
from prometheus_client import Histogram
from urllib3.exceptions import HTTPError, NewConnectionError, TimeoutError as Urllib3Timeout

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


@dataclass(frozen=True)
class UpstreamResponse:
    status_code: int
    headers: urllib3.HTTPHeaderDict  # case-insensitive
    content: bytes

    def json(self):
        """The body as JSON; ValueError when it is not JSON."""
        return jsonlib.loads(self.content)


class Upstreams:
    def __init__(self, peers: dict[str, str], *, connect_timeout: float, read_timeout: float,
                 pool_size: int = 20):
        self.peers = {name: url.rstrip("/") for name, url in peers.items()}
        # A service reached under a path (behind a proxy): that path goes before every target.
        self._prefixes = {name: urlsplit(url).path for name, url in self.peers.items()}
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.pool_size = pool_size
        self._pools: dict[str, urllib3.HTTPConnectionPool] = {}
        self._pid: int | None = None
        self._lock = threading.Lock()

    def base_url(self, service: str) -> str:
        try:
            return self.peers[service]
        except KeyError:
            raise UpstreamUnavailable(service, f"no address configured for {service}") from None

    def pool(self, service: str) -> urllib3.HTTPConnectionPool:
        # A pool's sockets must not be shared with a forked child: make new ones per process.
        # One HTTPConnectionPool per service, asked directly: a PoolManager would parse the URL
        # and look the pool up again on every request.
        pid = os.getpid()
        if self._pid != pid:
            with self._lock:
                if self._pid != pid:
                    self._pools = {}
                    self._pid = pid
        pool = self._pools.get(service)
        if pool is None:
            with self._lock:
                pool = self._pools.get(service)
                if pool is None:
                    # block=False: more concurrent requests than pool_size open extra connections
                    # (closed afterwards) rather than wait for a free one.
                    pool = urllib3.connection_from_url(self.base_url(service), maxsize=self.pool_size,
                                                       block=False)
                    self._pools[service] = pool
        return pool

    def request(self, service: str, method: str, path_with_query: str, *, headers: dict | None = None,
                data: bytes | None = None, json=None, read_timeout: float | None = None) -> UpstreamResponse:
        pool = self.pool(service)
        target = self._prefixes[service] + path_with_query
        headers = dict(headers or {})
        if json is not None:
            data = jsonlib.dumps(json).encode()
            headers.setdefault("Content-Type", "application/json")
        started = time.perf_counter()
        status = "error"
        try:
            raw = pool.urlopen(
                method, target, body=data, headers=headers, redirect=False, retries=False,
                timeout=urllib3.Timeout(connect=self.connect_timeout, read=read_timeout or self.read_timeout))
            status = str(raw.status)
            return UpstreamResponse(raw.status, raw.headers, raw.data)
        except NewConnectionError as exc:  # refused (urllib3 files it under connect timeouts)
            raise UpstreamUnavailable(service, f"{service} is unavailable") from exc
        except Urllib3Timeout as exc:  # connect and read timeouts
            status = "timeout"
            raise UpstreamTimeout(service, f"{service} did not answer in time") from exc
        except HTTPError as exc:  # refused, reset, malformed answers
            raise UpstreamUnavailable(service, f"{service} is unavailable") from exc
        finally:
            UPSTREAM_LATENCY.labels(service, status).observe(time.perf_counter() - started)
