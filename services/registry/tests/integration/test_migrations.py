"""0004 gives existing organizations their levels; every migration downgrades and upgrades again."""
import json
from datetime import datetime, timezone

from alembic import command
from sqlalchemy import text

from shanxing_common.db import make_engine
from shanxing_common.migrations import alembic_config
from shanxing_common.testing import database_url_for_tests, ensure_postgres_database

NOW = datetime(2030, 6, 5, tzinfo=timezone.utc)


def empty_database(tmp_path) -> str:
    url = database_url_for_tests("registry", tmp_path)
    if url.startswith("postgresql"):
        ensure_postgres_database(url)
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    return url


def test_levels_are_backfilled_from_the_trees(tmp_path):
    url = empty_database(tmp_path)
    config = alembic_config("shanxing_registry", url)
    command.upgrade(config, "0002")
    engine = make_engine(url)
    rows = [("r0", "regional", None), ("r1", "regional", "r0"), ("r2", "regional", "r1"),
            ("r3", "regional", "r2"), ("r4", "regional", "r3"), ("s0", "specialised", None),
            ("s1", "specialised", "s0")]
    with engine.begin() as conn:
        for org_id, kind, parent in rows:
            conn.execute(text("INSERT INTO organizations (id, name, kind, parent_id, region_code, status, "
                              "applicant_id, created_at) VALUES (:id, 'n', :kind, :parent, '110105', "
                              "'approved', 'a', :now)"), {"id": org_id, "kind": kind, "parent": parent, "now": NOW})
        # rows that refer to volunteers and organizations: the later migrations must work around them
        conn.execute(text("INSERT INTO accounts (id, phone, password_hash, roles, kind, created_at, failed_logins) "
                          "VALUES ('v1', '13800000000', 'h', '[\"volunteer\"]', 'volunteer', :now, 0)"), {"now": NOW})
        conn.execute(text("INSERT INTO volunteers (id, name, id_number_encrypted, id_number_hash, region_code, "
                          "skills, preferences, total_hours, star_level, created_at) VALUES ('v1', '王小明', 'x', "
                          "'h', '110105', '[]', '[]', 0, 0, :now)"), {"now": NOW})
        conn.execute(text("INSERT INTO organization_admins (organization_id, volunteer_id, created_at) "
                          "VALUES ('r1', 'v1', :now)"), {"now": NOW})
    command.upgrade(config, "head")
    with engine.connect() as conn:
        profile = conn.execute(text("SELECT availability, tags, home_location FROM volunteers")).one()
        levels = dict(conn.execute(text("SELECT id, level FROM organizations")).all())
        hours = set(conn.execute(text("SELECT total_hours FROM organizations")).scalars())
    assert levels == {"r0": "city", "r1": "district", "r2": "street", "r3": "community",
                      "r4": "community",  # deeper than the tree allows: the lowest level
                      "s0": "corps", "s1": "detachment"}
    assert hours == {0}
    assert [value if isinstance(value, (list, type(None))) else json.loads(value) for value in profile] == [
        [], [], None]
    command.downgrade(config, "0002")
    command.upgrade(config, "head")
    engine.dispose()


def test_applications_waiting_before_deadlines_get_one_from_their_application(tmp_path, monkeypatch):
    monkeypatch.delenv("SHANXING_REVIEW_DUE_HOURS", raising=False)
    url = empty_database(tmp_path)
    config = alembic_config("shanxing_registry", url)
    command.upgrade(config, "0011")
    engine = make_engine(url)
    with engine.begin() as conn:
        for org_id, parent, status in (("p", None, "approved"), ("c", "p", "pending"), ("r", None, "pending")):
            conn.execute(text("INSERT INTO organizations (id, name, kind, parent_id, region_code, status, applicant_id, "
                              "created_at, level) VALUES (:id, 'n', 'regional', :parent, '110105', :status, 'a', :now, "
                              "'city')"), {"id": org_id, "parent": parent, "status": status, "now": NOW})
    command.upgrade(config, "head")
    with engine.connect() as conn:
        rows = {row.id: row for row in conn.execute(text(
            "SELECT id, review_due_at, escalation_level, reviewer_organization_id FROM organizations"))}
    engine.dispose()

    def due(org_id):
        value = rows[org_id].review_due_at
        value = datetime.fromisoformat(value) if isinstance(value, str) else value
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)  # SQLite keeps no zone

    assert due("c") == NOW.replace(day=7)
    assert (rows["c"].reviewer_organization_id, rows["c"].escalation_level) == ("p", 0)
    assert rows["r"].reviewer_organization_id is None and due("r") is not None
    assert rows["p"].review_due_at is None and rows["p"].escalation_level == 0
