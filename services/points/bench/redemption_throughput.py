"""Redemption throughput through the gateway, as a ratio to a bare gunicorn+Flask JSON endpoint.

Starts the real suite (`make run` through tests/e2e/harness.py's Suite, in a temp data dir on free
ports; PostgreSQL when DATABASE_URL has a {service} placeholder) and, side by side, gunicorn serving
bench/bare_app.py with the same worker count. Sets up a merchant (ops API), goods with large stock
and volunteers (registered through the gateway) whose points come through points' own event path
(activities.hours_confirmed.v1 handed to the points inbox — no direct ledger writes). Each
redemption uses a code fetched beforehand, a fresh Idempotency-Key and a fresh nonce.

    .venv/bin/python services/points/bench/redemption_throughput.py [--duration 20] [--threads 8]
        [--merchants 1]

With SHANXING_GATEWAY_REDIS_URL set the suite's gateway keeps its nonces and rate counters in
that Redis (as a PostgreSQL deployment would). It prints, besides the rates and their ratio, the
CPU each process spent per request, the database, broker and cache servers included.
"""
from __future__ import annotations

import argparse
import itertools
import json
import os
import queue
import random
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

from tests.e2e.harness import (OPS_PASSWORD, OPS_PHONE, Client, MerchantClient, Suite,  # noqa: E402
                               free_port_block, phone_number, valid_id_number)

GOODS = 8
TARGET_RATIO = 0.30


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=20.0, help="seconds each side is driven in all")
    parser.add_argument("--rounds", type=int, default=4,
                        help="the sides take turns in this many slices of duration/rounds each")
    parser.add_argument("--threads", type=int, default=8, help="concurrent client threads")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")),
                        help="gunicorn workers of every service and of the bare app")
    parser.add_argument("--volunteers", type=int, default=40)
    parser.add_argument("--merchants", type=positive_int, default=1,
                        help="merchants the redemptions go round (1: every till of one merchant, the "
                             "worst case for row locks on PostgreSQL)")
    parser.add_argument("--codes", type=int, default=0,
                        help="codes to fetch (0: estimated from a short warm-up)")
    parser.add_argument("--points-threads", type=int, default=0,
                        help="threads per points worker (SHANXING_POINTS_THREADS; 0: the service's default)")
    parser.add_argument("--bare-threads", type=int, default=1,
                        help="threads per bare gunicorn worker (1: sync workers, the issue's baseline)")
    parser.add_argument("--keep", action="store_true", help="leave the data dir behind")
    return parser.parse_args()


# --- the measured loop -------------------------------------------------------------------------

def drive(duration: float, threads: int, make_request) -> dict:
    """Run make_request(session) from `threads` threads for `duration` s; count statuses."""
    stop_at = time.monotonic() + duration
    counts: dict[str, int] = {}
    lock = threading.Lock()
    started = time.monotonic()

    def loop():
        session = requests.Session()
        local: dict[str, int] = {}
        while time.monotonic() < stop_at:
            try:
                status = make_request(session)
            except _OutOfCodes:
                local["out_of_codes"] = local.get("out_of_codes", 0) + 1
                break
            except requests.RequestException as exc:
                status = type(exc).__name__
            local[str(status)] = local.get(str(status), 0) + 1
        with lock:
            for key, n in local.items():
                counts[key] = counts.get(key, 0) + n

    workers = [threading.Thread(target=loop) for _ in range(threads)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    elapsed = time.monotonic() - started
    ok = sum(n for key, n in counts.items() if key in ("200", "201"))
    return {"ok": ok, "elapsed": elapsed, "per_second": ok / elapsed, "statuses": counts}


class _OutOfCodes(Exception):
    pass


# --- where the CPU went ------------------------------------------------------------------------

SERVER_PROCESSES = {"postgres": "postgresql server", "beam.smp": "rabbitmq server",
                    "redis-server": "redis server"}


def server_pids() -> list[int]:
    """The database, broker and cache servers on this host: they share its CPUs with the suite."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() in SERVER_PROCESSES:
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


def cpu_seconds(pids: list[int]) -> dict[int, tuple[str, float]]:
    """utime + stime of each process, with a short name (from its command line)."""
    tick = os.sysconf("SC_CLK_TCK")
    found = {}
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1].split()
            comm = Path(f"/proc/{pid}/comm").read_text().strip()
            args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        line = " ".join(a.decode(errors="replace") for a in args)
        if comm in SERVER_PROCESSES:
            name = SERVER_PROCESSES[comm]
        elif "honcho" in line or line.startswith(("make", "/bin/sh")):
            name = "launcher (make, honcho: the services' log lines)"
        else:
            name = next((n for n in ("bare_app", "gateway", "registry", "activities", "points") if n in line),
                        "other")
            name += " worker" if line.rstrip().endswith("worker") else " web"
        found[pid] = (name, (int(stat[11]) + int(stat[12])) / tick)
    return found


def cpu_used(before: dict, after: dict) -> dict[str, float]:
    used: dict[str, float] = {}
    for pid, (name, seconds) in after.items():
        used[name] = round(used.get(name, 0.0) + seconds - before.get(pid, (name, 0.0))[1], 2)
    return dict(sorted(used.items(), key=lambda kv: -kv[1]))


def measured(duration: float, threads: int, make_request, pids: list[int]) -> dict:
    """drive(), plus the CPU seconds each server process and this client spent meanwhile."""
    before, client_before = cpu_seconds(pids), time.process_time()
    result = drive(duration, threads, make_request)
    result["cpu_seconds"] = cpu_used(before, cpu_seconds(pids))
    result["cpu_seconds"]["benchmark client"] = round(time.process_time() - client_before, 2)
    return result


def combined(slices: list[dict]) -> dict:
    """The slices of one side as one measurement (rates over the time actually driven)."""
    total = {"ok": 0, "elapsed": 0.0, "statuses": {}, "cpu_seconds": {}}
    for part in slices:
        total["ok"] += part["ok"]
        total["elapsed"] += part["elapsed"]
        for group in ("statuses", "cpu_seconds"):
            for key, value in part[group].items():
                total[group][key] = round(total[group].get(key, 0) + value, 2)
    total["per_second"] = total["ok"] / total["elapsed"]
    total["slices_per_second"] = [round(part["per_second"], 1) for part in slices]
    return total


# --- the bare baseline -------------------------------------------------------------------------

def start_bare(workers: int, log_dir: Path, threads: int = 1) -> tuple[subprocess.Popen, str]:
    port = free_port_block(1)
    proc = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "--workers", str(workers), "--threads", str(threads),
         "--bind", f"127.0.0.1:{port}", "--chdir", str(Path(__file__).parent), "--log-level", "warning",
         "bare_app:app"],
        stdout=open(log_dir / "bare.log", "ab"), stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            requests.post(url + "/echo", json={}, timeout=1)
            return proc, url
        except requests.RequestException:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("the bare app did not start")


def bare_request(url: str):
    body = json.dumps({"code": "123456789012", "items": [{"sku": "bench-0", "quantity": 1}]})

    def send(session):
        return session.post(url + "/echo", data=body, headers={"Content-Type": "application/json",
                                                               "Idempotency-Key": uuid.uuid4().hex},
                            timeout=30).status_code
    return send


# --- the suite's setup -------------------------------------------------------------------------

def set_up_merchant(suite: Suite, n: int = 0) -> MerchantClient:
    ops = Client(suite.url).login(OPS_PHONE, OPS_PASSWORD)
    resp = ops.post("/api/v1/merchants", {"name": f"压测爱心超市 {n}", "address": f"幸福路 {n + 1} 号"})
    assert resp.status_code == 201, resp.text
    merchant = MerchantClient(suite.url, resp.json()["key_id"], resp.json()["key_secret"])
    for i in range(GOODS):
        resp = merchant.request("POST", "/api/v1/merchant/goods",
                                {"sku": f"bench-{i}", "name": f"压测商品 {i}", "points": 1, "stock": 1_000_000})
        assert resp.status_code == 201, resp.text
    return merchant


def register_volunteers(suite: Suite, count: int) -> list[tuple[str, Client]]:
    anon = Client(suite.url)
    seed = int(time.time()) % 100000 * 100

    def one(n):
        body = {"name": "王小明", "id_number": valid_id_number(seed + n), "phone": phone_number(seed + n),
                "password": "correct-horse-9", "region_code": "110105", "skills": [], "preferences": []}
        resp = anon.post("/api/v1/volunteers", body)
        assert resp.status_code == 201, resp.text
        return resp.json()["id"], Client(suite.url).login(body["phone"], body["password"])

    with ThreadPoolExecutor(8) as pool:
        return list(pool.map(one, range(count)))


def credit_points(suite: Suite, volunteer_ids: list[str], hours: str = "9000.00") -> None:
    """Points through points' own event path: the hours event handed to its inbox, as the broker or
    the feed follower would."""
    saved = dict(os.environ)
    os.environ.update({k: v for k, v in suite.env.items() if k.startswith("SHANXING_")})
    try:
        from shanxing_common.config import Settings
        from shanxing_common.messaging.envelope import new_event
        from shanxing_points import create_app

        app = create_app(Settings.from_env("points"))
        inbox = app.extensions["shanxing"].inbox
        for volunteer_id in volunteer_ids:
            event = new_event("activities.hours_confirmed.v1", {
                "record_id": str(uuid.uuid4()), "volunteer_id": volunteer_id, "activity_id": "bench",
                "organization_id": "bench", "team_id": None, "region_code": "110105",
                "category": "elderly", "hours": hours, "confirmed_by": "bench", "verified": True},
                producer="activities")
            assert inbox.process(event.as_dict()) == "done"
        app.extensions["shanxing"].db.dispose()
    finally:
        os.environ.clear()
        os.environ.update(saved)


def fetch_codes(volunteers: list[tuple[str, Client]], count: int) -> list[str]:
    def one(n):
        _, person = volunteers[n % len(volunteers)]
        resp = person.post("/api/v1/points/redemption-codes")
        assert resp.status_code == 201, resp.text
        return resp.json()["code"]

    with ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(one, range(count)))
    random.shuffle(codes)
    return codes


def redemption_request(merchants: list[MerchantClient], codes: "queue.Queue[str]"):
    skus = itertools.cycle([(merchant, f"bench-{i}") for i in range(GOODS) for merchant in merchants])
    sku_lock = threading.Lock()
    path = "/api/v1/merchant/redemptions"

    def send(session):
        try:
            code = codes.get_nowait()
        except queue.Empty:
            raise _OutOfCodes() from None
        with sku_lock:
            merchant, sku = next(skus)
        body = json.dumps({"code": code, "items": [{"sku": sku, "quantity": 1}]}).encode()
        headers = merchant.signed_headers("POST", path, body)  # a fresh nonce each time
        headers.update({"Content-Type": "application/json", "Idempotency-Key": uuid.uuid4().hex})
        return session.post(merchant.base + path, data=body, headers=headers, timeout=30).status_code
    return send


def drop_suite_databases(suite: Suite) -> None:
    """PostgreSQL: the suite made a database per service for this run; remove them."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    urls = [v for k, v in suite.env.items() if k.endswith("_DATABASE_URL") and v.startswith("postgresql")]
    for url in urls:
        parsed = make_url(url.replace("postgresql://", "postgresql+psycopg://"))
        engine = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        engine.dispose()


def _children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def main():
    args = parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="shanxing-bench-"))
    suite = Suite(data_dir / "suite", f"bench{os.getpid()}")
    suite.env.update(WEB_CONCURRENCY=str(args.workers), SHANXING_REDEMPTION_CODE_TTL="3600",
                     SHANXING_MERCHANT_RATE_PER_SECOND="1000000", SHANXING_PERSON_RATE_PER_MINUTE="1000000")
    if args.points_threads:
        suite.env["SHANXING_POINTS_THREADS"] = str(args.points_threads)
    bare = None
    try:
        print(f"starting the suite (data in {data_dir}) and the bare app, {args.workers} workers each ...",
              flush=True)
        suite.start()
        bare, bare_url = start_bare(args.workers, data_dir, args.bare_threads)
        merchants = [set_up_merchant(suite, n) for n in range(args.merchants)]
        volunteers = register_volunteers(suite, args.volunteers)
        credit_points(suite, [volunteer_id for volunteer_id, _ in volunteers])
        codes: "queue.Queue[str]" = queue.Queue()
        needed = args.codes
        if not needed:  # warm up, then fetch what the measured run can use, with room to spare
            for code in fetch_codes(volunteers, 300):
                codes.put(code)
            warm = drive(3.0, args.threads, redemption_request(merchants, codes))
            needed = int(warm["per_second"] * args.duration * 1.6) + 200
            print(f"warm-up: {warm['per_second']:.1f} redemptions/s {warm['statuses']}", flush=True)
            while not codes.empty():
                codes.get_nowait()
        print(f"fetching {needed} redemption codes ...", flush=True)
        for code in fetch_codes(volunteers, needed):
            codes.put(code)

        drive(2.0, args.threads, bare_request(bare_url))  # warm the bare app too
        pids = suite.descendants() + [bare.pid] + _children(bare.pid) + server_pids()
        # The two sides take turns in short slices, so a swing in the host's load hits both alike.
        slice_s = args.duration / args.rounds
        bare_slices, suite_slices = [], []
        for round_ in range(1, args.rounds + 1):
            print(f"round {round_}/{args.rounds}: the bare app, then redemptions, {slice_s:g} s each ...",
                  flush=True)
            bare_slices.append(measured(slice_s, args.threads, bare_request(bare_url), pids))
            suite_slices.append(measured(slice_s, args.threads, redemption_request(merchants, codes), pids))
        bare_result, suite_result = combined(bare_slices), combined(suite_slices)
        ratio = suite_result["per_second"] / bare_result["per_second"]
        db = "PostgreSQL" if os.environ.get("DATABASE_URL") else "SQLite"
        print(json.dumps({"database": db, "threads": args.threads, "workers": args.workers,
                          "points_threads": args.points_threads or "default", "merchants": args.merchants,
                          "bare_threads": args.bare_threads, "rounds": args.rounds,
                          "duration_s": args.duration, "cpus": os.cpu_count(),
                          "bare": bare_result, "redemptions": suite_result}, indent=2))
        print(f"bare gunicorn+Flask: {bare_result['per_second']:.1f} req/s; redemptions through the "
              f"gateway: {suite_result['per_second']:.1f} req/s; ratio {ratio:.3f} "
              f"(target >= {TARGET_RATIO})")
        for side, result in (("bare", bare_result), ("redemption", suite_result)):
            print(f"CPU ms per {side} request: " + ", ".join(
                f"{name} {1000 * seconds / max(result['ok'], 1):.2f}"
                for name, seconds in result["cpu_seconds"].items() if seconds >= 0.05))
        if db == "PostgreSQL" and not os.environ.get("SHANXING_GATEWAY_REDIS_URL"):
            print("note: the gateway kept its nonces and rate counters in PostgreSQL; a PostgreSQL "
                  "deployment keeps them in Redis (set SHANXING_GATEWAY_REDIS_URL; decision 0021)")
        if suite_result["statuses"].get("out_of_codes"):
            print("note: the codes ran out before the end; the rate counts the time actually driven")
    finally:
        if bare is not None:
            bare.terminate()
            bare.wait(10)
        suite.stop()
        if not args.keep:
            import shutil
            shutil.rmtree(data_dir, ignore_errors=True)
            drop_suite_databases(suite)


if __name__ == "__main__":
    main()
