"""Points expiry (SHANXING_POINTS_EXPIRY_DAYS): lots, oldest-expiry-first spending, the expiry job.

The clock is injected: credits carry their event's occurred_at, the job and the service functions
take ``now``."""
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from click.testing import CliRunner
from sqlalchemy import select, update

from shanxing_common.messaging.envelope import new_event
from shanxing_common.testing import deliver
from shanxing_points.adapters import ledger
from shanxing_points.adapters.models import accounts, point_lots, transfers
from shanxing_points.cli import cli, jobs
from shanxing_points.service import expiry

DAYS = 30


@pytest.fixture
def expiring(monkeypatch):
    monkeypatch.setenv("SHANXING_POINTS_EXPIRY_DAYS", str(DAYS))


def _at(days_ago: float) -> datetime:
    return datetime.now(timezone.utc) - timedelta(days=days_ago)


def _confirm_at(app, volunteer_id, hours, occurred_at) -> str:
    """An hours confirmation that happened at ``occurred_at`` (the lot expires DAYS after it)."""
    record_id = str(uuid.uuid4())
    event = new_event("activities.hours_confirmed.v1", {
        "record_id": record_id, "volunteer_id": volunteer_id, "hours": hours,
        "served_on": occurred_at.date().isoformat(), "verified": True}, producer="activities").as_dict()
    event["occurred_at"] = occurred_at.isoformat()
    assert app.extensions["shanxing"].inbox.process(event) == "done"
    return record_id


def _db(app):
    return app.extensions["shanxing"].db


def _lots(world, volunteer_id) -> dict:
    resp = world.client.get("/api/v1/points/me/lots", headers=world.person(volunteer_id))
    assert resp.status_code == 200, resp.json
    return resp.json


def _report(app):
    with _db(app).read() as s:
        return ledger.books_report(s)


def _assert_books(app, world, volunteer_id):
    report = _report(app)
    assert ledger.books_balanced(report), report
    with _db(app).read() as s:
        row = s.execute(select(accounts).where(accounts.c.owner_id == volunteer_id)).one()
    assert row.balance - row.debt == row.earned - row.redeemed - row.expired
    return row


def test_off_by_default_nothing_of_expiry_runs(app, world):
    volunteer_id = world.volunteer()
    _confirm_at(app, volunteer_id, "3.00", _at(400))
    assert _lots(world, volunteer_id) == {"items": [], "next": None, "expiry_days": None, "expired": 0}
    assert expiry.expire_due(_db(app), _at(-1000)) == 0
    with _db(app).read() as s:
        assert s.execute(select(point_lots)).all() == []
    assert world.points(volunteer_id) == {"balance": 30, "earned": 30, "redeemed": 0, "debt": 0}


def test_lots_are_spent_oldest_expiry_first_and_shown_with_their_expiry(app, world, expiring):
    volunteer_id = world.volunteer()
    old = _at(10)
    _confirm_at(app, volunteer_id, "2.00", _at(5))   # 20 points, expires in 25 days
    _confirm_at(app, volunteer_id, "1.00", old)      # 10 points, expires in 20 days: spent first
    merchant = world.merchant()
    world.good(merchant, sku="soap", points=12, stock=10)
    assert world.redeem(merchant, world.code(volunteer_id), [{"sku": "soap", "quantity": 1}]).status_code == 201
    lots = _lots(world, volunteer_id)
    assert lots["expiry_days"] == DAYS and lots["next"] is None
    assert [(lot["points"], lot["amount"]) for lot in lots["items"]] == [(18, 20)]  # 10 + 2 of the 20
    assert datetime.fromisoformat(lots["items"][0]["expires_at"]) == _lots_row_expiry(app, volunteer_id)
    assert world.points(volunteer_id)["balance"] == 18
    _assert_books(app, world, volunteer_id)


def _lots_row_expiry(app, volunteer_id):
    with _db(app).read() as s:
        account_id = ledger.find_account(s, ledger.VOLUNTEER, volunteer_id).id
        expires = s.execute(select(point_lots.c.expires_at).where(point_lots.c.account_id == account_id,
                                                                    point_lots.c.remaining > 0)).scalar_one()
    return expires if expires.tzinfo else expires.replace(tzinfo=timezone.utc)


def test_the_job_expires_what_is_left_exactly_once_as_a_transfer(app, world, expiring):
    volunteer_id = world.volunteer()
    _confirm_at(app, volunteer_id, "1.00", _at(20))  # 10 points, expires in 10 days
    _confirm_at(app, volunteer_id, "2.00", _at(1))   # 20 points, expires in 29 days
    merchant = world.merchant()
    world.good(merchant, sku="soap", points=4, stock=10)
    world.redeem(merchant, world.code(volunteer_id), [{"sku": "soap", "quantity": 1}])  # 4 of the first lot
    in_11_days = _at(-11)
    assert expiry.expire_due(_db(app), _at(0)) == 0  # nothing due yet
    assert expiry.expire_due(_db(app), in_11_days) == 6
    assert expiry.expire_due(_db(app), in_11_days) == 0  # exactly once
    assert world.points(volunteer_id) == {"balance": 20, "earned": 30, "redeemed": 4, "debt": 0}
    with _db(app).read() as s:
        expired = s.execute(select(transfers).where(transfers.c.kind == "expire")).one()
        expiry_balance = s.execute(select(accounts.c.balance).where(accounts.c.id == "expiry")).scalar_one()
    assert expired.id.startswith("expire:") and expired.amount == 6 and expired.credit_account_id == "expiry"
    assert expiry_balance == 6
    entries = world.client.get("/api/v1/points/me/entries", headers=world.person(volunteer_id)).json["items"]
    assert (entries[0]["kind"], entries[0]["points"], entries[0]["balance_after"]) == ("expire", -6, 20)
    assert _assert_books(app, world, volunteer_id).expired == 6
    # a fully spent lot expires with nothing to move
    assert expiry.expire_due(_db(app), _at(-40)) == 20
    assert world.points(volunteer_id)["balance"] == 0
    assert _lots(world, volunteer_id)["items"] == [] and _lots(world, volunteer_id)["expired"] == 26


def test_a_redemption_never_spends_points_past_their_expiry(app, world, expiring):
    volunteer_id = world.volunteer()
    _confirm_at(app, volunteer_id, "1.00", _at(DAYS + 1))  # already due, the job has not run
    _confirm_at(app, volunteer_id, "1.00", _at(1))
    assert world.points(volunteer_id)["balance"] == 20  # shown until expired
    merchant = world.merchant()
    world.good(merchant, sku="rice", points=15, stock=10)
    world.good(merchant, sku="pen", points=5, stock=10)
    refused = world.redeem(merchant, world.code(volunteer_id), [{"sku": "rice", "quantity": 1}])
    assert refused.status_code == 409  # only 10 are still valid; all rolled back, expiry included
    assert world.points(volunteer_id)["balance"] == 20
    done = world.redeem(merchant, world.code(volunteer_id), [{"sku": "pen", "quantity": 1}])
    assert done.status_code == 201
    assert world.points(volunteer_id) == {"balance": 5, "earned": 20, "redeemed": 5, "debt": 0}
    assert expiry.expire_due(_db(app), _at(0)) == 0  # the redemption expired the due lot already
    _assert_books(app, world, volunteer_id)


def test_a_refund_comes_back_as_a_new_lot_with_a_fresh_expiry(app, world, expiring):
    volunteer_id = world.volunteer()
    _confirm_at(app, volunteer_id, "3.00", _at(25))
    merchant = world.merchant()
    world.good(merchant, sku="rice", points=10, stock=10)
    redemption = world.redeem(merchant, world.code(volunteer_id), [{"sku": "rice", "quantity": 2}]).json
    resp = world.client.post(f"/api/v1/merchant/redemptions/{redemption['id']}/refund",
                             json={"items": [{"sku": "rice", "quantity": 1}]}, headers=merchant.headers)
    assert resp.status_code == 200
    lots = _lots(world, volunteer_id)["items"]
    assert [(lot["points"], lot["transfer_id"].split(":")[0]) for lot in lots] == [(10, "hours"), (10, "refund")]
    refund_expiry = datetime.fromisoformat(lots[1]["expires_at"])
    assert abs(refund_expiry - _at(-DAYS)) < timedelta(minutes=5)
    assert expiry.expire_due(_db(app), _at(-6)) == 10  # the hours lot; the refund's lives on
    assert world.points(volunteer_id)["balance"] == 10
    _assert_books(app, world, volunteer_id)


def test_revocations_take_from_lots_and_debt_leaves_only_the_spendable_part_as_a_lot(app, world, expiring):
    volunteer_id = world.volunteer()
    record = _confirm_at(app, volunteer_id, "2.00", _at(2))
    merchant = world.merchant()
    world.good(merchant, sku="rice", points=15, stock=10)
    world.redeem(merchant, world.code(volunteer_id), [{"sku": "rice", "quantity": 1}])
    world.revoke(volunteer_id, record, "2.00")  # 5 back from the balance, 15 become debt
    assert _lots(world, volunteer_id)["items"] == []
    _confirm_at(app, volunteer_id, "2.00", _at(1))  # 15 settle the debt, 5 are spendable
    assert [lot["points"] for lot in _lots(world, volunteer_id)["items"]] == [5]
    assert world.points(volunteer_id) == {"balance": 5, "earned": 20, "redeemed": 15, "debt": 0}
    assert expiry.expire_due(_db(app), _at(-DAYS)) == 5
    _assert_books(app, world, volunteer_id)


def test_bonuses_open_lots_too(app, world, expiring):
    volunteer_id = world.volunteer()
    world.client.post("/api/v1/points/rules", json={"commendation_bonus": {"city": 40}}, headers=world.ops)
    deliver(app, "registry.commendation_granted.v1", {"commendation_id": "c-1", "volunteer_id": volunteer_id,
                                                      "level": "city"})
    assert [(lot["points"], lot["transfer_id"]) for lot in _lots(world, volunteer_id)["items"]] == [
        (40, "commendation:c-1")]


def test_lots_list_pages_by_expiry(app, world, expiring):
    volunteer_id = world.volunteer()
    for days_ago in (3, 1, 2):
        _confirm_at(app, volunteer_id, "1.00", _at(days_ago))
    first = world.client.get("/api/v1/points/me/lots?limit=2", headers=world.person(volunteer_id)).json
    second = world.client.get(f"/api/v1/points/me/lots?limit=2&cursor={first['next']}",
                              headers=world.person(volunteer_id)).json
    expiries = [lot["expires_at"] for lot in first["items"] + second["items"]]
    assert len(expiries) == 3 and expiries == sorted(expiries) and second["next"] is None
    bad = world.client.get("/api/v1/points/me/lots?cursor=nope", headers=world.person(volunteer_id))
    assert bad.status_code == 400


def test_reconcile_catches_lots_beyond_the_balance(app, world, expiring, monkeypatch, tmp_path):
    volunteer_id = world.volunteer()
    _confirm_at(app, volunteer_id, "1.00", _at(1))
    with _db(app).transaction() as s:
        s.execute(update(point_lots).values(amount=50, remaining=50))
    report = _report(app)
    assert report["lots_beyond_balance"][0]["lots_remaining"] == 50
    monkeypatch.setenv("SHANXING_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SHANXING_POINTS_DATABASE_URL", app.extensions["shanxing"].settings.database_url)
    assert CliRunner().invoke(cli, ["reconcile"]).exit_code == 1


def test_the_worker_job_runs_the_expiry(app, world, expiring):
    volunteer_id = world.volunteer()
    _confirm_at(app, volunteer_id, "1.00", _at(DAYS + 1))
    job = {j.name: j for j in jobs(app.extensions["shanxing"].settings, _db(app))}["points-expiry"]
    job.run()
    assert world.points(volunteer_id)["balance"] == 0
    _assert_books(app, world, volunteer_id)
