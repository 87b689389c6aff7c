"""Property: any sequence of credits, redemptions, refunds and revocations keeps the books.

Runs through the service functions against the real database (SQLite or PostgreSQL)."""
import uuid

from hypothesis import HealthCheck, given, settings, strategies as st
from sqlalchemy import select

from shanxing_common.testing import deliver
from shanxing_points.adapters import ledger
from shanxing_points.adapters.models import accounts
from shanxing_points.domain.errors import Conflict
from shanxing_points.service import accounts as volunteer_accounts, merchants, redemptions

VOLUNTEERS, RECORDS = 2, 3

operations = st.lists(st.one_of(
    st.tuples(st.just("confirm"), st.integers(0, VOLUNTEERS - 1), st.integers(0, RECORDS - 1),
              st.integers(1, 800)),  # hours in hundredths
    st.tuples(st.just("revoke"), st.integers(0, RECORDS - 1)),
    st.tuples(st.just("redeem"), st.integers(0, VOLUNTEERS - 1), st.integers(1, 4)),
    st.tuples(st.just("refund"), st.integers(0, 7)),
), min_size=1, max_size=25)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations)
def test_random_histories_keep_the_books_balanced(app, world, ops):
    db = app.extensions["shanxing"].db
    box = app.extensions["shanxing"].extra["secret_box"]
    tag = uuid.uuid4().hex[:8]  # the database is shared by all examples: fresh ids per example
    volunteers = [f"{tag}-v{i}" for i in range(VOLUNTEERS)]
    merchant = merchants.create_merchant(db, box, name="超市", address="x")
    merchants.add_good(db, merchant["id"], sku="g", name="g", points=7, stock=1_000_000)
    owner_of_record: dict[int, str] = {}
    done: list[str] = []
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
        elif op[0] == "redeem":
            _, v, quantity = op
            code = volunteer_accounts.issue_code(db, volunteers[v], 300)["code"]
            try:
                done.append(redemptions.redeem(db, merchant["id"], idempotency_key=uuid.uuid4().hex,
                                               code=code, items=[{"sku": "g", "quantity": quantity}]).body["id"])
            except Conflict:
                pass  # insufficient points: nothing written
        elif op[0] == "refund" and done:
            try:
                redemptions.refund(db, merchant["id"], done[op[1] % len(done)])
            except Conflict:
                pass  # already refunded
    with db.read() as s:
        report = ledger.books_report(s)
        rows = s.execute(select(accounts).where(accounts.c.kind == ledger.VOLUNTEER,
                                                accounts.c.owner_id.in_(volunteers))).all()
    assert ledger.books_balanced(report), report
    for row in rows:
        assert row.balance >= 0 and row.debt >= 0 and row.earned >= 0 and row.redeemed >= 0
        # spendable minus owed is what was earned and not spent
        assert row.balance - row.debt == row.earned - row.redeemed
        assert row.debt == 0 or row.balance == 0  # debt is always settled before points are spendable
