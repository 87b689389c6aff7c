"""Leaderboard benchmark on PostgreSQL: fills hours_totals (and optionally hours_records) of the
current week, month and year with generate_series, then times the service's own top-100 and
my-rank queries and prints p50/p99.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/shanxing_activities_bench \\
        .venv/bin/python services/activities/bench/leaderboard.py [--volunteers 3200000]
        [--records 30000000] [--queries 1000] [--replace]

Use a database of its own: the tables must be empty, or --replace empties them (TRUNCATE).
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import text

from shanxing_activities.adapters import repository
from shanxing_activities.domain.periods import PERIOD_KINDS, VOLUNTEER, period_starts
from shanxing_common.db import Database
from shanxing_common.migrations import upgrade

BENCH_TABLES = ("hours_totals", "hours_distribution", "hours_records")
ORGANIZATIONS = 20_000
VOLUNTEERS_PER_ACTIVITY = 300
RECORDS_CHUNK = 1_000_000
# Totals in hundredths, in quarter hours, skewed so most volunteers have little and a few a lot.
TOTAL_SQL = {"week": "((random() ^ 3) * 40)::int * 25 + 25",
             "month": "((random() ^ 3) * 160)::int * 25 + 25",
             "year": "((random() ^ 2) * 1600)::int * 25 + 25"}


def volunteer_id(number: int) -> str:
    return f"bench-v{number:09d}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--volunteers", type=int, default=3_200_000)
    parser.add_argument("--records", type=int, default=0,
                        help="also generate this many hours_records rows (the issue's scale: 30000000)")
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--replace", action="store_true", help="TRUNCATE the bench tables first")
    parser.add_argument("--timezone", default=os.environ.get("SHANXING_TIMEZONE", "Asia/Shanghai"))
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgresql"):
        print("set DATABASE_URL to a PostgreSQL database of its own", file=sys.stderr)
        return 2
    upgrade("shanxing_activities", url)
    db = Database(url)
    starts = period_starts(datetime.now(ZoneInfo(args.timezone)).date())
    with db.transaction() as s:
        if args.replace:
            s.execute(text(f"TRUNCATE {', '.join(BENCH_TABLES)}"))
        elif any(s.execute(text(f"SELECT EXISTS (SELECT 1 FROM {t})")).scalar() for t in BENCH_TABLES):
            print("the bench tables are not empty: use a database of its own, or --replace", file=sys.stderr)
            return 2
    generate(db, starts, args.volunteers, args.records)
    measure(db, starts, args.volunteers, args.queries)
    return 0


def timed(label: str):
    class Timer:
        def __enter__(self):
            self.start = time.perf_counter()

        def __exit__(self, *exc):
            print(f"{label}: {time.perf_counter() - self.start:.1f} s", flush=True)
    return Timer()


def generate(db: Database, starts: dict, volunteers: int, records: int) -> None:
    for kind in PERIOD_KINDS:
        with timed(f"hours_totals {kind}: {volunteers} volunteers"), db.transaction() as s:
            s.execute(text(
                "INSERT INTO hours_totals (period_kind, period_start, scope, subject_id, hours) "
                f"SELECT :kind, :start, 'volunteer', 'bench-v' || lpad(g::text, 9, '0'), {TOTAL_SQL[kind]} "
                "FROM generate_series(1, :n) AS g"), {"kind": kind, "start": starts[kind], "n": volunteers})
    with timed("hours_distribution"), db.transaction() as s:
        s.execute(text(
            "INSERT INTO hours_distribution (period_kind, period_start, scope, hours, subjects) "
            "SELECT period_kind, period_start, scope, hours, count(*) FROM hours_totals "
            "WHERE scope = 'volunteer' AND hours > 0 GROUP BY period_kind, period_start, scope, hours"))
    if records:
        generate_records(db, starts, volunteers, records)
    # What autovacuum does in service: statistics, and the visibility map for index-only scans.
    with timed("VACUUM ANALYZE"), db.engine.connect() as c:
        c = c.execution_options(isolation_level="AUTOCOMMIT")
        for table in BENCH_TABLES:
            c.execute(text(f"VACUUM ANALYZE {table}"))


def generate_records(db: Database, starts: dict, volunteers: int, records: int) -> None:
    """hours_records in chunks of RECORDS_CHUNK rows, each committed (progress shows), with the
    table's indexes dropped meanwhile and rebuilt at the end: one sorted build per index instead of
    30 M random B-tree insertions (random uuids, volunteer ids) through a small buffer cache."""
    with db.transaction() as s:
        indexes = s.execute(text(
            "SELECT i.indexname, i.indexdef, c.conname IS NOT NULL FROM pg_indexes i "
            "LEFT JOIN pg_constraint c ON c.conname = i.indexname "
            "WHERE i.tablename = 'hours_records' ORDER BY i.indexname")).all()
        for name, _, is_constraint in indexes:
            s.execute(text(f"ALTER TABLE hours_records DROP CONSTRAINT {name}" if is_constraint
                           else f"DROP INDEX {name}"))
    # 300 volunteers per activity, distinct within each activity (7919 is prime, coprime to most
    # volunteer counts), so the partial unique index (activity, volunteer) holds.
    for first in range(1, records + 1, RECORDS_CHUNK):
        last = min(first + RECORDS_CHUNK - 1, records)
        with timed(f"hours_records: rows {first}..{last} of {records}"), db.transaction() as s:
            s.execute(text(
                "INSERT INTO hours_records (id, activity_id, volunteer_id, hours, served_on, confirmed_by, "
                "confirmed_at, verified, team_id) "
                "SELECT gen_random_uuid()::text, 'bench-a' || (g / :per), "
                "'bench-v' || lpad((((g::bigint * 7919) % :v) + 1)::text, 9, '0'), "
                "((random() * 15)::int + 1) * 25, :start - ((g % 365) || ' days')::interval, "
                "'bench-o' || (g % :orgs), now(), g % 3 = 0, NULL "
                "FROM generate_series(:first, :last) AS g"),
                {"per": VOLUNTEERS_PER_ACTIVITY, "v": volunteers, "start": starts["year"].replace(month=12, day=31),
                 "orgs": ORGANIZATIONS, "first": first, "last": last})
    for name, definition, is_constraint in indexes:
        with timed(f"rebuild {name}"), db.transaction() as s:
            s.execute(text("SET LOCAL maintenance_work_mem = '512MB'"))
            s.execute(text(definition))
            if is_constraint:  # the table's only index-backed constraint is its primary key
                s.execute(text(f"ALTER TABLE hours_records ADD CONSTRAINT {name} PRIMARY KEY USING INDEX {name}"))


def percentiles(samples: list[float]) -> str:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return f"p50 {cuts[49] * 1000:.2f} ms  p99 {cuts[98] * 1000:.2f} ms  max {max(samples) * 1000:.2f} ms"


def measure(db: Database, starts: dict, volunteers: int, queries: int) -> None:
    rng = random.Random(20261123)
    top, mine = [], []
    for _ in range(queries):
        kind = rng.choice(PERIOD_KINDS)
        began = time.perf_counter()
        with db.read() as s:
            rows = repository.top_subjects(s, period_kind=kind, period_start=starts[kind], scope=VOLUNTEER,
                                           limit=100)
        top.append(time.perf_counter() - began)
        assert len(rows) == min(100, volunteers)
    for _ in range(queries):
        kind, subject = rng.choice(PERIOD_KINDS), volunteer_id(rng.randint(1, volunteers))
        began = time.perf_counter()
        with db.read() as s:  # what GET /leaderboards/me runs
            total = repository.total_of(s, period_kind=kind, period_start=starts[kind], scope=VOLUNTEER,
                                        subject_id=subject)
            repository.subjects_above(s, period_kind=kind, period_start=starts[kind], scope=VOLUNTEER,
                                      hundredths=total)
        mine.append(time.perf_counter() - began)
    print(f"top-100 ({queries} queries): {percentiles(top)}")
    print(f"my-rank ({queries} queries): {percentiles(mine)}")
    # For comparison: the rank as a count over the ranking index (what the distribution avoids).
    counted = []
    for _ in range(max(queries // 10, 2)):
        kind, subject = rng.choice(PERIOD_KINDS), volunteer_id(rng.randint(1, volunteers))
        began = time.perf_counter()
        with db.read() as s:
            total = repository.total_of(s, period_kind=kind, period_start=starts[kind], scope=VOLUNTEER,
                                        subject_id=subject)
            s.execute(text("SELECT count(*) FROM hours_totals WHERE period_kind = :k AND period_start = :s "
                           "AND scope = 'volunteer' AND hours > :h"),
                      {"k": kind, "s": starts[kind], "h": total}).scalar()
        counted.append(time.perf_counter() - began)
    print(f"my-rank by counting the totals instead ({len(counted)} queries): {percentiles(counted)}")


if __name__ == "__main__":
    sys.exit(main())
