"""Migration 0006 backfills the organization and region totals, the distribution behind "my rank"
and the statistics from hours confirmed before it (on a SQLite file of its own)."""
from datetime import date, datetime, timezone

from sqlalchemy import create_engine, text

from shanxing_common.migrations import upgrade

MOMENT = datetime(2030, 6, 5, 2, tzinfo=timezone.utc)


def test_backfill_from_hours_confirmed_before(tmp_path):
    url = f"sqlite:///{tmp_path / 'before.db'}"
    upgrade("shanxing_activities", url, revision="0005")
    engine = create_engine(url)
    with engine.begin() as c:
        c.execute(text(
            "INSERT INTO activities (id, organization_id, title, category, description, address, latitude, "
            "longitude, starts_at, ends_at, capacity, skills, region_code, status, signed_up, created_by, "
            "created_at, escalation_level) VALUES ('a1', 'org', 't', 'c', '', 'addr', 0, 0, :s, :e, 5, '[]', "
            "'110105001', 'completed', 2, 'x', :s, 0)"), {"s": MOMENT, "e": MOMENT.replace(hour=5)})
        for record_id, volunteer_id, hours, revoked in (("r1", "v1", 300, None), ("r2", "v2", 100, None),
                                                        ("r3", "v3", 200, MOMENT)):
            c.execute(text(
                "INSERT INTO hours_records (id, activity_id, volunteer_id, hours, served_on, confirmed_by, "
                "confirmed_at, verified, revoked_at) VALUES (:id, 'a1', :v, :h, :d, 'x', :m, 0, :r)"),
                {"id": record_id, "v": volunteer_id, "h": hours, "d": date(2030, 6, 5), "m": MOMENT, "r": revoked})
        for kind, start in (("week", "2030-06-03"), ("month", "2030-06-01"), ("year", "2030-01-01")):
            for volunteer_id, hours in (("v1", 300), ("v2", 100), ("v3", 0)):
                c.execute(text("INSERT INTO hours_totals VALUES (:k, :s, 'volunteer', :v, :h)"),
                          {"k": kind, "s": start, "v": volunteer_id, "h": hours})
    upgrade("shanxing_activities", url)
    with engine.connect() as c:
        totals = dict(c.execute(text(
            "SELECT scope || ':' || subject_id, hours FROM hours_totals WHERE period_kind = 'month'")).all())
        distribution = c.execute(text("SELECT hours, subjects FROM hours_distribution WHERE period_kind = 'week' "
                                      "ORDER BY hours")).all()
        statistics = c.execute(text(
            "SELECT scope, subject_id, activities, participants, hours FROM statistics_totals "
            "WHERE period_kind = 'month' ORDER BY scope, subject_id")).all()
    engine.dispose()
    assert {k: v for k, v in totals.items() if not k.startswith("volunteer:")} == {
        "organization:org": 400, "region:11": 400, "region:1101": 400, "region:110105": 400,
        "region:110105001": 400}
    assert distribution == [(100, 1), (300, 1)]
    assert statistics == [("organization", "org", 1, 2, 400)] + [
        ("region", code, 1, 2, 400) for code in ("11", "1101", "110105", "110105001")]
