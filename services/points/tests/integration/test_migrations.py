"""Migrations 0003–0010 upgrade a database that already holds 0002 data (both dialects)."""
from sqlalchemy import text

from shanxing_common.db import make_engine
from shanxing_common.migrations import upgrade
from shanxing_common.testing import database_url_for_tests, ensure_postgres_database

NOW = "2026-01-01 00:00:00+00:00"


def test_upgrading_keeps_old_refunds_reconcilable(tmp_path):
    from shanxing_points.adapters import ledger
    from sqlalchemy.orm import Session

    url = database_url_for_tests("points", tmp_path)
    engine = make_engine(url)
    if url.startswith("postgresql"):
        ensure_postgres_database(url)
        with engine.begin() as c:
            c.execute(text("DROP SCHEMA public CASCADE"))
            c.execute(text("CREATE SCHEMA public"))
    try:
        upgrade("shanxing_points", url, "0002")
        with engine.begin() as c:  # a redemption of 20 points, refunded in full before 0005
            c.execute(text("INSERT INTO accounts (id, kind, owner_id, balance, earned, redeemed, debt, created_at) "
                           "VALUES ('a-v', 'volunteer', 'v1', 50, 50, 0, 0, :n), "
                           "('a-m', 'merchant', 'm1', 0, 0, 0, 0, :n)"), {"n": NOW})
            c.execute(text("UPDATE accounts SET balance = -50 WHERE id = 'issuance'"))
            c.execute(text("INSERT INTO merchants VALUES ('m1', 'M', 'a', 'active', :n)"), {"n": NOW})
            c.execute(text("INSERT INTO goods (id, merchant_id, sku, name, points, stock, created_at) "
                           "VALUES ('g1', 'm1', 'rice', '米', 10, 5, :n)"), {"n": NOW})
            c.execute(text("INSERT INTO redemption_codes VALUES ('c1', 'h1', 'v1', :n, :n, :n)"), {"n": NOW})
            c.execute(text("INSERT INTO redemptions VALUES ('r1', 'm1', 'v1', 'c1', 20, 'refunded', :n, :n)"),
                      {"n": NOW})
            c.execute(text("INSERT INTO redemption_items VALUES ('r1', 'g1', 'rice', '米', 2, 10, 20)"))
            c.execute(text("INSERT INTO hour_credits (record_id, volunteer_id, hours, points, status, created_at) "
                           "VALUES ('rec1', 'v1', '5.00', 50, 'credited', :n)"), {"n": NOW})
            for transfer_id, kind, debit, credit, amount in [("hours:rec1", "hours", "issuance", "a-v", 50),
                                                             ("redeem:r1", "redeem", "a-v", "a-m", 20),
                                                             ("refund:r1", "refund", "a-m", "a-v", 20)]:
                c.execute(text("INSERT INTO transfers (id, debit_account_id, credit_account_id, amount, kind, "
                               "created_at) VALUES (:id, :d, :c, :a, :k, :n)"),
                          {"id": transfer_id, "d": debit, "c": credit, "a": amount, "k": kind, "n": NOW})
                c.execute(text("INSERT INTO postings (transfer_id, account_id, amount, balance_after, created_at) "
                               "VALUES (:id, :d, :neg, 0, :n), (:id, :c, :a, 0, :n)"),
                          {"id": transfer_id, "d": debit, "c": credit, "a": amount, "neg": -amount, "n": NOW})
        upgrade("shanxing_points", url)
        with engine.begin() as c:
            assert c.execute(text("SELECT id, redemption_id, points FROM refunds")).all() == [("r1", "r1", 20)]
            assert c.execute(text("SELECT refunded_points FROM redemptions")).scalar() == 20
            assert c.execute(text("SELECT refunded_quantity FROM redemption_items")).scalar() == 2
            assert c.execute(text("SELECT active FROM goods")).scalar() in (True, 1)
            # 0009/0010: old credits and redemptions have no factor and no known maker
            assert c.execute(text("SELECT organizer_factor FROM transfers WHERE id = 'hours:rec1'")).scalar() is None
            assert c.execute(text("SELECT organization_id FROM hour_credits")).scalar() is None
            assert c.execute(text("SELECT made_by FROM redemptions")).scalar() is None
            assert c.execute(text("SELECT made_by FROM refunds")).scalar() is None
            assert c.execute(text("SELECT count(*) FROM merchant_staff")).scalar() == 0
        with Session(engine) as s:
            report = ledger.books_report(s)
        assert ledger.books_balanced(report), report
    finally:
        engine.dispose()
