"""Benchmark of `import-volunteers` on PostgreSQL: generates N valid rows into a temporary CSV,
imports them into the database named by DATABASE_URL and prints rows per second.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/shanxing_registry_bench \\
        .venv/bin/python services/registry/bench/import_volunteers.py [--rows 200000] [--batch 5000]

The database is dropped and created again (so give it a name of its own), then migrated.
ID keys: SHANXING_REGISTRY_ID_KEY / _ID_HASH_KEY when set, else fixed benchmark keys.
"""
from __future__ import annotations

import argparse
import csv
import os
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=5000)
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
            started = time.perf_counter()
            result = import_volunteers(db, Registry.from_config(RegistryConfig.from_env()), source,
                                       batch_size=args.batch)
            elapsed = time.perf_counter() - started
        finally:
            db.dispose()
    if result.imported != args.rows or result.rejected:
        print(f"unexpected: {result.imported} imported, {result.rejected} rejected", file=sys.stderr)
        return 1
    print(f"imported {result.imported} volunteers in {elapsed:.2f} s: {result.imported / elapsed:,.0f} rows/s "
          f"(batch {args.batch})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
