"""Property: any sequence of credits (under a random daily cap), bonuses, redemptions, refunds,
revocations, two-phase holds with their capture, void or expiry, and — with expiry on — runs of
the expiry job at later times keeps the books.

Runs through the service functions against the real database (SQLite or PostgreSQL)."""
import os
import uuid
from datetime import datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings, strategies as st
from sqlalchemy import func, select

from shanxing_common.testing import deliver
from shanxing_points.adapters import ledger
from shanxing_points.adapters.models import accounts, hour_credits, point_lots
from shanxing_points.domain.errors import Conflict
from shanxing_points.service import (accounts as volunteer_accounts, earning_rules, expiry, holds, merchants,
                                    redemptions)

VOLUNTEERS, RECORDS = 2, 3

operations = st.lists(st.one_of(
    st.tuples(st.just("confirm"), st.integers(0, VOLUNTEERS - 1), st.integers(0, RECORDS - 1),
              st.integers(1, 800)),  # hours in hundredths
    st.tuples(st.just("revoke"), st.integers(0, RECORDS - 1)),
    st.tuples(st.just("redeem"), st.integers(0, VOLUNTEERS - 1), st.integers(1, 4)),
    st.tuples(st.just("refund"), st.integers(0, 7), st.one_of(st.none(), st.integers(1, 4))),
    st.tuples(st.just("star"), st.integers(0, VOLUNTEERS - 1), st.integers(0, 3), st.integers(1, 4)),
    st.tuples(st.just("commend"), st.integers(0, VOLUNTEERS - 1), st.integers(0, 2),
              st.sampled_from(["city", "street"])),
    st.tuples(st.just("expire"), st.integers(0, 60)),  # run the job this many days from now
    st.tuples(st.just("hold"), st.integers(0, VOLUNTEERS - 1), st.integers(1, 4)),
    st.tuples(st.sampled_from(["capture", "void"]), st.integers(0, 7)),
    st.tuples(st.just("expire_holds"), st.integers(0, 3600)),  # the hold job, this many seconds on
), min_size=1, max_size=25)
daily_caps = st.one_of(st.none(), st.integers(1, 120))


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations, daily_cap=daily_caps, expiry_days=st.one_of(st.none(), st.integers(1, 40)))
def test_random_histories_keep_the_books_balanced(app, world, ops, daily_cap, expiry_days):
    saved = os.environ.get("SHANXING_POINTS_EXPIRY_DAYS")
    if expiry_days is None:
        os.environ.pop("SHANXING_POINTS_EXPIRY_DAYS", None)
    else:
        os.environ["SHANXING_POINTS_EXPIRY_DAYS"] = str(expiry_days)
    try:
        _check_random_history(app, ops, daily_cap, expiry_days)
    finally:
        if saved is None:
            os.environ.pop("SHANXING_POINTS_EXPIRY_DAYS", None)
        else:
            os.environ["SHANXING_POINTS_EXPIRY_DAYS"] = saved


def _check_random_history(app, ops, daily_cap, expiry_days):
    db = app.extensions["shanxing"].db
    earning_rules.publish(db, {"daily_cap_per_volunteer": daily_cap, "star_upgrade_bonus": {"2": 15, "3": 25},
                               "commendation_bonus": {"city": 40}}, published_by="test", default_rate=10)
    box = app.extensions["shanxing"].extra["secret_box"]
    tag = uuid.uuid4().hex[:8]  # the database is shared by all examples: fresh ids per example
    volunteers = [f"{tag}-v{i}" for i in range(VOLUNTEERS)]
    merchant = merchants.create_merchant(db, box, name="超市", address="x")
    merchants.add_good(db, merchant["id"], sku="g", name="g", points=7, stock=1_000_000)
    owner_of_record: dict[int, str] = {}
    done: list[str] = []  # redemptions (captured holds too)
    held: list[str] = []  # holds, whatever became of them
    for op in ops:
        if op[0] == "confirm":
            _, v, r, hundredths = op
            owner = owner_of_record.setdefault(r, volunteers[v])
            deliver(app, "activities.hours_confirmed.v1", {
                "record_id": f"{tag}-r{r}", "volunteer_id": owner, "hours": f"{hundredths / 100:.2f}"})
        elif op[0] == "revoke":
            _, r = op
            owner = owner_of_record.setdefault(r, volunteers[0])
            deliver(app, "activities.hours_revoked.v1", {
                "record_id": f"{tag}-r{r}", "volunteer_id": owner, "hours": "1.00"})
        elif op[0] in ("redeem", "hold"):
            _, v, quantity = op
            code = volunteer_accounts.issue_code(db, volunteers[v], 300)["code"]
            try:
                body = redemptions.redeem(db, merchant["id"], idempotency_key=uuid.uuid4().hex, code=code,
                                          items=[{"sku": "g", "quantity": quantity}], hold=op[0] == "hold").body
            except Conflict:
                continue  # insufficient points: nothing written
            (held if op[0] == "hold" else done).append(body["id"])
        elif op[0] in ("capture", "void") and held:
            _, index = op
            hold_id = held[index % len(held)]
            try:
                if op[0] == "capture":
                    holds.capture(db, merchant["id"], hold_id)
                    done.append(hold_id)
                else:
                    holds.void(db, merchant["id"], hold_id)
            except Conflict:
                pass  # resolved the other way already, or expired
        elif op[0] == "expire_holds":
            _, seconds_later = op
            holds.void_expired(db, datetime.now(timezone.utc) + timedelta(seconds=seconds_later))
        elif op[0] == "star":
            _, v, old, new = op
            deliver(app, "registry.star_level_changed.v1", {
                "volunteer_id": volunteers[v], "old_level": old, "new_level": new, "total_hours": "1.00"})
        elif op[0] == "commend":
            _, v, c, level = op
            deliver(app, "registry.commendation_granted.v1", {
                "commendation_id": f"{tag}-c{c}", "volunteer_id": volunteers[v], "level": level})
        elif op[0] == "refund" and done:
            _, index, quantity = op  # None: everything left; else that many units
            items = None if quantity is None else [{"sku": "g", "quantity": quantity}]
            try:
                redemptions.refund(db, merchant["id"], done[index % len(done)], items=items)
            except Conflict:
                pass  # already refunded, or fewer units left than asked
        elif op[0] == "expire":
            _, days_later = op
            expiry.expire_due(db, datetime.now(timezone.utc) + timedelta(days=days_later))
    with db.read() as s:
        report = ledger.books_report(s)
        rows = s.execute(select(accounts).where(accounts.c.kind == ledger.VOLUNTEER,
                                                accounts.c.owner_id.in_(volunteers))).all()
        lots_per_account = dict(s.execute(
            select(point_lots.c.account_id, func.sum(point_lots.c.remaining))
            .group_by(point_lots.c.account_id)).all())
        earned_per_day = s.execute(
            select(func.sum(hour_credits.c.points))
            .where(hour_credits.c.volunteer_id.in_(volunteers), hour_credits.c.status == "credited")
            .group_by(hour_credits.c.volunteer_id, hour_credits.c.served_on)).scalars().all()
    if daily_cap is not None:
        assert all(points <= daily_cap for points in earned_per_day)
    assert ledger.books_balanced(report), report
    for row in rows:
        assert row.balance >= 0 and row.debt >= 0 and row.earned >= 0 and row.redeemed >= 0 and row.expired >= 0
        # spendable minus owed is what was earned and not spent
        assert row.balance - row.debt == row.earned - row.redeemed - row.expired
        assert row.debt == 0 or row.balance == 0  # debt is always settled before points are spendable
        if expiry_days is None:
            assert row.expired == 0 and row.id not in lots_per_account
        else:  # every spendable point sits in exactly one lot
            assert lots_per_account.get(row.id, 0) == row.balance
