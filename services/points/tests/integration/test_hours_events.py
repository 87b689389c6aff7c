"""Events in: accounts opened and named, hours credited once, revocations and debt."""
import uuid

from sqlalchemy import func, select

from shanxing_common.testing import deliver
from shanxing_points.adapters import ledger
from shanxing_points.adapters.models import accounts, transfers


def _account(app, volunteer_id):
    with app.extensions["shanxing"].db.read() as s:
        return ledger.find_account(s, ledger.VOLUNTEER, volunteer_id)


def _transfer_count(app, transfer_id):
    with app.extensions["shanxing"].db.read() as s:
        return s.execute(select(func.count()).select_from(transfers)
                         .where(transfers.c.id == transfer_id)).scalar()


def test_registration_opens_the_account_with_the_masked_name(app, world):
    volunteer_id = world.volunteer("李*华")
    account = _account(app, volunteer_id)
    assert account.display_name == "李*华" and account.balance == 0
    assert world.points(volunteer_id) == {"balance": 0, "earned": 0, "redeemed": 0, "debt": 0}


def test_update_renames_but_an_older_event_does_not_overwrite_a_newer_name(app, world):
    from shanxing_common.messaging.envelope import new_event

    volunteer_id = world.volunteer("李*华")
    inbox = app.extensions["shanxing"].inbox
    newer = new_event("registry.volunteer_updated.v1", {"volunteer_id": volunteer_id, "display_name": "李*明"},
                      producer="registry").as_dict()
    older = dict(new_event("registry.volunteer_updated.v1",
                           {"volunteer_id": volunteer_id, "display_name": "李*旧"}, producer="registry").as_dict(),
                 occurred_at="2000-01-01T00:00:00+00:00")
    assert inbox.process(newer) == "done"
    assert inbox.process(older) == "done"
    assert _account(app, volunteer_id).display_name == "李*明"


def test_hours_credit_hours_times_rate_rounded_half_up(app, world):
    volunteer_id = world.volunteer()
    world.confirm(volunteer_id, "2.50")
    world.confirm(volunteer_id, "0.25")  # 2.5 points → 3
    assert world.points(volunteer_id) == {"balance": 28, "earned": 28, "redeemed": 0, "debt": 0}


def test_the_rate_comes_from_the_setting(app, world, monkeypatch):
    monkeypatch.setenv("SHANXING_POINTS_PER_HOUR", "7")
    volunteer_id = world.volunteer()
    world.confirm(volunteer_id, "1.50")  # 10.5 → 11
    assert world.points(volunteer_id)["balance"] == 11


def test_the_same_event_delivered_twice_credits_once(app, world):
    volunteer_id = world.volunteer()
    event_id = str(uuid.uuid4())
    record_id = world.confirm(volunteer_id, "3.00", event_id=event_id)
    world.confirm(volunteer_id, "3.00", record_id=record_id, event_id=event_id)
    assert world.points(volunteer_id)["balance"] == 30
    assert _transfer_count(app, f"hours:{record_id}") == 1


def test_two_events_for_the_same_record_credit_once(app, world):
    volunteer_id = world.volunteer()
    record_id = world.confirm(volunteer_id, "3.00")
    world.confirm(volunteer_id, "3.00", record_id=record_id)  # a new event id, same cause
    assert world.points(volunteer_id)["earned"] == 30


def test_hours_before_registration_open_the_account_and_the_name_follows(app, world):
    volunteer_id = str(uuid.uuid4())
    world.confirm(volunteer_id, "1.00")
    assert _account(app, volunteer_id).display_name is None
    deliver(app, "registry.volunteer_registered.v1", {"volunteer_id": volunteer_id, "display_name": "王*"})
    account = _account(app, volunteer_id)
    assert account.display_name == "王*" and account.balance == 10


def test_revocation_reverses_what_the_record_credited(app, world):
    volunteer_id = world.volunteer()
    keep = world.confirm(volunteer_id, "1.00")
    record_id = world.confirm(volunteer_id, "2.00")
    world.revoke(volunteer_id, record_id, "2.00")
    world.revoke(volunteer_id, record_id, "2.00")  # again: nothing more
    assert keep
    assert world.points(volunteer_id) == {"balance": 10, "earned": 10, "redeemed": 0, "debt": 0}


def test_revoking_spent_points_leaves_debt_that_future_earnings_settle(app, world):
    volunteer_id = world.volunteer()
    merchant = world.merchant()
    world.good(merchant, sku="soap", points=80, stock=5)
    record_id = world.confirm(volunteer_id, "10.00")  # 100
    assert world.redeem(merchant, world.code(volunteer_id), [{"sku": "soap", "quantity": 1}]).status_code == 201
    world.revoke(volunteer_id, record_id, "10.00")  # balance 20 goes, 80 becomes debt
    assert world.points(volunteer_id) == {"balance": 0, "earned": 0, "redeemed": 80, "debt": 80}
    world.confirm(volunteer_id, "5.00")  # 50: all of it settles debt
    assert world.points(volunteer_id) == {"balance": 0, "earned": 50, "redeemed": 80, "debt": 30}
    world.confirm(volunteer_id, "4.00")  # 40: 30 settles, 10 spendable
    assert world.points(volunteer_id) == {"balance": 10, "earned": 90, "redeemed": 80, "debt": 0}
    kinds = [e["kind"] for e in world.client.get("/api/v1/points/me/entries",
                                                 headers=world.person(volunteer_id)).json["items"]]
    assert kinds == ["settle", "hours", "settle", "hours", "revoke", "redeem", "hours"]


def test_a_refund_settles_debt_first(app, world):
    volunteer_id = world.volunteer()
    merchant = world.merchant()
    world.good(merchant, sku="soap", points=80, stock=5)
    record_id = world.confirm(volunteer_id, "10.00")
    redemption = world.redeem(merchant, world.code(volunteer_id), [{"sku": "soap", "quantity": 1}]).json
    world.revoke(volunteer_id, record_id, "10.00")
    assert world.points(volunteer_id)["debt"] == 80
    resp = world.client.post(f"/api/v1/merchant/redemptions/{redemption['id']}/refund", headers=merchant.headers)
    assert resp.status_code == 200
    assert world.points(volunteer_id) == {"balance": 0, "earned": 0, "redeemed": 0, "debt": 0}
    with app.extensions["shanxing"].db.read() as s:
        assert ledger.books_balanced(ledger.books_report(s))


def test_a_revocation_arriving_before_its_confirmation_wins(app, world):
    volunteer_id = world.volunteer()
    record_id = str(uuid.uuid4())
    world.revoke(volunteer_id, record_id, "2.00")
    world.confirm(volunteer_id, "2.00", record_id=record_id)
    assert world.points(volunteer_id) == {"balance": 0, "earned": 0, "redeemed": 0, "debt": 0}


def test_malformed_hours_are_retried_not_credited(app, world):
    volunteer_id = world.volunteer()
    outcome = deliver(app, "activities.hours_confirmed.v1", {
        "record_id": "r-bad", "volunteer_id": volunteer_id, "hours": "1.234"})
    assert outcome == "retry"
    assert world.points(volunteer_id)["balance"] == 0


def test_issuance_balances_the_books(app, world):
    volunteer_id = world.volunteer()
    world.confirm(volunteer_id, "1.00")
    with app.extensions["shanxing"].db.read() as s:
        assert s.execute(select(func.sum(accounts.c.balance))).scalar() == 0
        assert ledger.books_balanced(ledger.books_report(s))


def test_the_reconcile_command_reports_balanced_books(app, world, monkeypatch, tmp_path):
    from click.testing import CliRunner

    from shanxing_points.cli import cli

    world.confirm(world.volunteer(), "1.00")
    monkeypatch.setenv("SHANXING_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SHANXING_POINTS_DATABASE_URL", app.extensions["shanxing"].settings.database_url)
    result = CliRunner().invoke(cli, ["reconcile"])
    assert result.exit_code == 0, result.output
    assert '"sum_of_balances": 0' in result.output
