"""Runs the whole suite as `make run` does (real gunicorn and worker processes) for end-to-end tests,
and a small client that speaks the public contract, including merchant signatures."""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import signal
import socket
import subprocess
import time
import uuid
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("gateway", "registry", "activities", "points")
OPS_PHONE, OPS_PASSWORD = "19900000000", "shanxing-ops-dev"


def free_port_block(size: int = 4) -> int:
    """A base port with `size` consecutive free ports (the services take gateway+1..+3)."""
    for _ in range(200):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            base = s.getsockname()[1]
        if base + size >= 65535:
            continue
        ok = True
        for port in range(base, base + size):
            with socket.socket() as s:
                try:
                    s.bind(("127.0.0.1", port))
                except OSError:
                    ok = False
                    break
        if ok:
            return base
    raise RuntimeError("no block of free ports")


class Suite:
    """`make run` in its own process group, on free ports and a data dir of its own."""

    def __init__(self, data_dir: Path, name: str):
        self.data_dir = data_dir
        data_dir.mkdir(parents=True, exist_ok=True)
        self.name = name
        self.port = free_port_block()
        self.proc: subprocess.Popen | None = None
        self.log_path = data_dir / "suite.log"
        self.env = self._environment()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _environment(self) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SHANXING_", "MAKE", "MFLAGS"))}
        env.pop("DATABASE_URL", None)
        env.update(SHANXING_DATA_DIR=str(self.data_dir), SHANXING_GATEWAY_PORT=str(self.port),
                   SHANXING_ENV="dev", SHANXING_FEED_POLL_SECONDS="1", WEB_CONCURRENCY="2")
        # The gateway's nonces and counters in Redis when the outer run uses it (REDIS_URL passes
        # through as it is), always under keys of this suite's own.
        env["SHANXING_GATEWAY_REDIS_PREFIX"] = f"shanxing:e2e:{self.name}:{uuid.uuid4().hex}:"
        if os.environ.get("SHANXING_GATEWAY_REDIS_URL"):
            env["SHANXING_GATEWAY_REDIS_URL"] = os.environ["SHANXING_GATEWAY_REDIS_URL"]
        base_url = os.environ.get("DATABASE_URL")
        if base_url:  # PostgreSQL: a fresh database per service for this suite
            from shanxing_common.testing import ensure_postgres_database

            for svc in SERVICES:
                url = base_url.replace("{service}", f"e2e_{self.name}_{svc}")
                ensure_postgres_database(url.replace("postgresql://", "postgresql+psycopg://"), recreate=True)
                env[f"SHANXING_{svc.upper()}_DATABASE_URL"] = url
        return env

    def start(self, timeout: float = 120) -> "Suite":
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(["make", "-s", "run"], cwd=ROOT, env=self.env, stdout=log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"make run exited {self.proc.returncode}:\n{self.tail()}")
            try:
                if requests.get(self.url + "/readyz", timeout=2).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"suite not ready after {timeout}s:\n{self.tail()}")

    def tail(self, lines: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def descendants(self) -> list[int]:
        """Every process started under `make run` (honcho puts each child in its own session,
        so a process group does not reach them; the parent links do)."""
        out = subprocess.run(["ps", "-eo", "pid=,ppid="], capture_output=True, text=True).stdout
        children: dict[int, list[int]] = {}
        for line in out.splitlines():
            pid, ppid = map(int, line.split())
            children.setdefault(ppid, []).append(pid)
        found, todo = [], [self.proc.pid]
        while todo:
            for child in children.get(todo.pop(), []):
                found.append(child)
                todo.append(child)
        return found

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 40) -> list[int]:
        """Signal `make run` itself, as ops or Ctrl-C would; returns the processes still alive after."""
        before = self.descendants()
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                pass
        deadline = time.monotonic() + 10
        alive = before
        while time.monotonic() < deadline:
            alive = [pid for pid in before if _alive(pid)]
            if not alive:
                break
            time.sleep(0.2)
        for pid in alive:  # never leave strays behind a failed test
            _signal(pid, signal.SIGKILL)
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        return alive

    def kill(self) -> None:
        """SIGKILL every process of the suite at once, as a power cut would."""
        pids = [self.proc.pid, *self.descendants()]
        for pid in pids:
            _signal(pid, signal.SIGKILL)
        self.proc.wait(10)
        deadline = time.monotonic() + 10
        while any(_alive(p) for p in pids) and time.monotonic() < deadline:
            time.sleep(0.1)


def _signal(pid: int, sig: int) -> None:
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(") ")[-1][0] != "Z"
    except OSError:
        return False


class Client:
    def __init__(self, base: str, token: str | None = None):
        self.base = base
        self.http = requests.Session()
        self.token = token

    def _headers(self, extra=None):
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        headers.update(extra or {})
        return headers

    def get(self, path, **kw):
        return self.http.get(self.base + path, headers=self._headers(kw.pop("headers", None)), timeout=30, **kw)

    def post(self, path, body=None, **kw):
        return self.http.post(self.base + path, json=body, headers=self._headers(kw.pop("headers", None)),
                              timeout=30, **kw)

    def patch(self, path, body=None, **kw):
        return self.http.patch(self.base + path, json=body, headers=self._headers(kw.pop("headers", None)),
                               timeout=30, **kw)

    def login(self, phone, password) -> "Client":
        resp = self.post("/api/v1/auth/token", {"phone": phone, "password": password})
        assert resp.status_code == 200, resp.text
        return Client(self.base, resp.json()["access_token"])


class MerchantClient:
    """Signs each request as API.md says."""

    def __init__(self, base: str, key_id: str, secret: str):
        self.base, self.key_id, self.secret = base, key_id, secret
        self.http = requests.Session()

    def signed_headers(self, method: str, path_with_query: str, body: bytes, nonce: str | None = None,
                       timestamp: int | None = None) -> dict:
        ts = str(timestamp if timestamp is not None else int(time.time()))
        nonce = nonce or uuid.uuid4().hex
        message = "\n".join([method, path_with_query, ts, nonce, hashlib.sha256(body).hexdigest()])
        signature = hmac.new(self.secret.encode(), message.encode(), hashlib.sha256).hexdigest()
        return {"X-Shanxing-Key": self.key_id, "X-Shanxing-Timestamp": ts, "X-Shanxing-Nonce": nonce,
                "X-Shanxing-Signature": signature}

    def request(self, method, path, body=None, headers=None, nonce=None):
        data = json.dumps(body).encode() if body is not None else b""
        h = self.signed_headers(method, path, data, nonce=nonce)
        if body is not None:
            h["Content-Type"] = "application/json"
        h.update(headers or {})
        return self.http.request(method, self.base + path, data=data, headers=h, timeout=30)


def eventually(fn, timeout: float = 30, interval: float = 0.3):
    """Poll until fn() returns a truthy value (events are asynchronous by design)."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = fn()
        if last:
            return last
        time.sleep(interval)
    return last


def valid_id_number(seed: int) -> str:
    """An 18-character resident ID with a correct GB 11643 check digit."""
    body = f"110105{1970 + seed % 40:04d}{1 + seed % 12:02d}{1 + seed % 28:02d}{seed % 1000:03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, weights)) % 11]
    return body + check


def phone_number(seed: int) -> str:
    return f"138{seed % 100000000:08d}"
