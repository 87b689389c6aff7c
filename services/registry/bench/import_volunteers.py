"""Benchmark of `import-volunteers` on PostgreSQL: generates N valid rows into a temporary CSV,
imports them into the database named by DATABASE_URL and prints rows per second.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/shanxing_registry_bench \\
        .venv/bin/python services/registry/bench/import_volunteers.py [--rows 200000] [--batch 5000] [--workers N]

The database is dropped and created again (so give it a name of its own), then migrated.
ID keys: SHANXING_REGISTRY_ID_KEY / _ID_HASH_KEY when set, else fixed benchmark keys.
"""
from __future__ import annotations

import argparse
import csv
import os
import resource
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/shanxing_registry_bench"
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
SKILLS = ("first_aid", "driving", "teaching", "sign_language", "counselling", "photography")


def id_number(index: int) -> str:
    """A valid resident ID: 1000 sequence numbers per birth day, days from 1950-01-01 on."""
    birth = date(1950, 1, 1) + timedelta(days=index // 1000)
    body = f"110105{birth:%Y%m%d}{index % 1000:03d}"
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, WEIGHTS)) % 11]


def generate(path: Path, rows: int) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(("name", "id_number", "phone", "region_code", "skills", "preferences"))
        for index in range(rows):
            name = SURNAMES[index % len(SURNAMES)] + GIVEN[index // len(SURNAMES) % len(GIVEN)] + \
                GIVEN[index % len(GIVEN)]
            writer.writerow((name, id_number(index), f"13{index:09d}", f"1101{index % 20:02d}",
                             "|".join(SKILLS[index % 3:index % 3 + 2]), "elderly|children"))


def backend_cpu_seconds(db) -> float | None:
    """CPU time of the PostgreSQL backends of the import's pooled connections (read from /proc, so
    only when the server runs on this machine): with the other stages' CPU it tells what the import
    would do on an idle machine."""
    from sqlalchemy import text

    with db.engine.connect() as conn:
        # this pooled connection is one of the import's own
        pids = conn.execute(text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()"))\
            .scalars().all()
    total, seen, ticks = 0.0, 0, os.sysconf("SC_CLK_TCK")
    for pid in pids:
        try:
            fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        except OSError:  # gone (an autovacuum worker), or the server is elsewhere
            continue
        total, seen = total + (int(fields[11]) + int(fields[12])) / ticks, seen + 1
    return total if seen else None


def cpu_seconds(who) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=None, help="row-preparing processes (default: the import's)")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    if not url.startswith("postgresql"):
        print("DATABASE_URL must name a PostgreSQL database", file=sys.stderr)
        return 2
    os.environ.setdefault("SHANXING_REGISTRY_ID_KEY", "benchmark-registry-id-key-0123456789abcdef")
    os.environ.setdefault("SHANXING_REGISTRY_ID_HASH_KEY", "benchmark-registry-id-hash-key-0123456789ab")
    os.environ.setdefault("SHANXING_REGISTRY_CERT_KEY", "benchmark-registry-cert-key-0123456789abcdef")

    from alembic import command

    from shanxing_common.db import Database
    from shanxing_common.migrations import alembic_config
    from shanxing_common.testing import ensure_postgres_database
    from shanxing_registry.config import RegistryConfig
    from shanxing_registry.runtime import Registry
    from shanxing_registry.service.bulk_import import import_volunteers

    ensure_postgres_database(url, recreate=True)
    command.upgrade(alembic_config("shanxing_registry", url), "head")
    with tempfile.TemporaryDirectory() as work:
        source = Path(work) / "volunteers.csv"
        generate(source, args.rows)
        db = Database(url)
        try:
            before = cpu_seconds(resource.RUSAGE_SELF)
            started = time.perf_counter()
            result = import_volunteers(db, Registry.from_config(RegistryConfig.from_env()), source,
                                       batch_size=args.batch, workers=args.workers)
            elapsed = time.perf_counter() - started
            main_cpu, workers_cpu = cpu_seconds(resource.RUSAGE_SELF) - before, cpu_seconds(resource.RUSAGE_CHILDREN)
            database_cpu = backend_cpu_seconds(db)
        finally:
            db.dispose()
    if result.imported != args.rows or result.rejected:
        print(f"unexpected: {result.imported} imported, {result.rejected} rejected", file=sys.stderr)
        return 1
    print(f"imported {result.imported} volunteers in {elapsed:.2f} s: {result.imported / elapsed:,.0f} rows/s "
          f"(batch {args.batch})")
    per_row = 1e6 / result.imported
    print(f"CPU per row: import process {main_cpu * per_row:.1f} us, row-preparing workers {workers_cpu * per_row:.1f} us, "
          + (f"PostgreSQL backend {database_cpu * per_row:.1f} us" if database_cpu is not None
             else "PostgreSQL backend not measurable (server not local)")
          + f"; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    sys.exit(main())
