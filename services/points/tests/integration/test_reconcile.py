"""`shanxing-points reconcile` finds tampered books and exits non-zero."""
import pytest
from click.testing import CliRunner
from sqlalchemy import delete, update

from shanxing_points.adapters import ledger
from shanxing_points.adapters.models import accounts, hour_credits, postings, refunds, transfers
from shanxing_points.cli import cli


@pytest.fixture
def books(app, world):
    """Hours, a redemption and a partial refund: healthy books to tamper with."""
    volunteer_id = world.volunteer()
    record_id = world.confirm(volunteer_id, "5.00")
    merchant = world.merchant()
    world.good(merchant, sku="rice", points=10, stock=10)
    redemption = world.redeem(merchant, world.code(volunteer_id), [{"sku": "rice", "quantity": 3}]).json
    refund = world.client.post(f"/api/v1/merchant/redemptions/{redemption['id']}/refund",
                               json={"items": [{"sku": "rice", "quantity": 1}]}, headers=merchant.headers).json
    return dict(volunteer_id=volunteer_id, record_id=record_id, redemption_id=redemption["id"],
                refund_id=refund["refund"]["id"])


def _report(app):
    with app.extensions["shanxing"].db.read() as s:
        return ledger.books_report(s)


def _tamper(app, *statements):
    with app.extensions["shanxing"].db.transaction() as s:
        for statement in statements:
            s.execute(statement)


def _run(app, monkeypatch, tmp_path):
    monkeypatch.setenv("SHANXING_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SHANXING_POINTS_DATABASE_URL", app.extensions["shanxing"].settings.database_url)
    return CliRunner().invoke(cli, ["reconcile"])


def test_healthy_books_pass(app, books, monkeypatch, tmp_path):
    assert ledger.books_balanced(_report(app)), _report(app)
    result = _run(app, monkeypatch, tmp_path)
    assert result.exit_code == 0, result.output
    assert '"redemptions_not_debited_once": []' in result.output


def test_a_tampered_balance_is_caught_and_the_command_fails(app, books, monkeypatch, tmp_path):
    _tamper(app, update(accounts).where(accounts.c.kind == "volunteer",
                                        accounts.c.owner_id == books["volunteer_id"])
            .values(balance=accounts.c.balance + 5))
    report = _report(app)
    assert report["sum_of_balances"] == 5
    assert len(report["accounts_not_matching_postings"]) == 1
    assert report["volunteer_counters_not_matching"]
    result = _run(app, monkeypatch, tmp_path)
    assert result.exit_code == 1 and "accounts_not_matching_postings" in result.output


def test_an_hours_credit_that_disagrees_with_its_transfer_is_caught(app, books):
    _tamper(app, update(hour_credits).where(hour_credits.c.record_id == books["record_id"]).values(points=60))
    [off] = _report(app)["hours_credits_not_moved_once"]
    assert off == {"record_id": books["record_id"], "points": 60, "transferred": 50}


def test_a_redemption_without_its_debit_is_caught(app, books):
    transfer_id = f"redeem:{books['redemption_id']}"
    _tamper(app, delete(postings).where(postings.c.transfer_id == transfer_id),
            delete(transfers).where(transfers.c.id == transfer_id))
    report = _report(app)
    assert report["redemptions_not_debited_once"] == [
        {"redemption_id": books["redemption_id"], "points": 30, "debited": None}]
    assert not ledger.books_balanced(report)


def test_refunds_beyond_the_redemption_are_caught(app, books):
    _tamper(app, update(refunds).where(refunds.c.id == books["refund_id"]).values(points=40))
    report = _report(app)
    [over] = report["redemptions_refunded_beyond_their_points"]
    assert over["redemption_id"] == books["redemption_id"] and over["refunds"] == 40
    assert report["refunds_not_moved_once"][0]["refund_id"] == books["refund_id"]


def test_a_refunded_quantity_beyond_the_redeemed_one_is_caught(app, books):
    from shanxing_points.adapters.models import redemption_items

    _tamper(app, update(redemption_items).where(redemption_items.c.redemption_id == books["redemption_id"])
            .values(refunded_quantity=4))
    assert {"redemption_id": books["redemption_id"], "sku": "rice", "refunded_quantity": "beyond quantity"} in \
        _report(app)["redemptions_refunded_beyond_their_points"]
