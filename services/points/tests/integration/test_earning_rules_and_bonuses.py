"""GET/POST /points/rules, and how versions price hours, star upgrades and commendations."""
import uuid
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from shanxing_common.testing import deliver
from shanxing_points.adapters.models import hour_credits, transfers


def _confirm(world, volunteer_id, hours, *, category="elderly", served_on="2025-01-02", verified=True,
             organization_id="o1"):
    record_id = str(uuid.uuid4())
    assert deliver(world.app, "activities.hours_confirmed.v1", {
        "record_id": record_id, "volunteer_id": volunteer_id, "activity_id": "a1",
        "organization_id": organization_id,
        "team_id": None, "region_code": "110105", "category": category, "hours": hours,
        "served_on": served_on, "confirmed_by": "admin", "verified": verified}) == "done"
    return record_id


def _publish(world, **body):
    return world.client.post("/api/v1/points/rules", json=body, headers=world.ops)


def _credit_row(app, record_id):
    with app.extensions["shanxing"].db.read() as s:
        return s.execute(select(hour_credits).where(hour_credits.c.record_id == record_id)).one()


def _transfer(app, transfer_id):
    with app.extensions["shanxing"].db.read() as s:
        return s.execute(select(transfers).where(transfers.c.id == transfer_id)).first()


def _star(world, volunteer_id, old, new):
    assert deliver(world.app, "registry.star_level_changed.v1", {
        "volunteer_id": volunteer_id, "old_level": old, "new_level": new, "total_hours": "100.00"}) == "done"


def _commend(world, volunteer_id, level, commendation_id=None, event_id=None):
    commendation_id = commendation_id or str(uuid.uuid4())
    assert deliver(world.app, "registry.commendation_granted.v1", {
        "commendation_id": commendation_id, "volunteer_id": volunteer_id, "title": "优秀志愿者",
        "level": level, "granted_by": "ops", "granted_at": "2026-01-01T00:00:00+00:00"},
        event_id=event_id) == "done"
    return commendation_id


def test_before_any_publication_version_0_is_the_contract_rate(world):
    volunteer_id = world.volunteer()
    resp = world.client.get("/api/v1/points/rules", headers=world.person(volunteer_id))
    assert resp.status_code == 200
    assert resp.json == {"version": 0, "points_per_hour": 10, "category_rates": {},
                         "daily_cap_per_volunteer": None, "star_upgrade_bonus": {},
                         "commendation_bonus": {}, "organization_factors": {}, "effective_from": None,
                         "verified_hours_only": False}
    record_id = _confirm(world, volunteer_id, "2.50")
    assert world.points(volunteer_id)["balance"] == 25
    assert _transfer(world.app, f"hours:{record_id}").rule_version == 0


def test_the_rules_need_a_signed_in_caller_and_publishing_needs_ops(world):
    assert world.client.get("/api/v1/points/rules").status_code == 401
    volunteer = world.person(world.volunteer())
    assert world.client.post("/api/v1/points/rules", json={"points_per_hour": 5},
                             headers=volunteer).status_code == 403
    merchant = world.merchant()
    assert world.client.get("/api/v1/points/rules", headers=merchant.headers).status_code == 200


def test_publishing_makes_a_new_version_that_prices_later_credits(world):
    volunteer_id = world.volunteer()
    first = _confirm(world, volunteer_id, "1.00")
    resp = _publish(world, points_per_hour=12, category_rates={"elderly": 20})
    assert resp.status_code == 201, resp.json
    assert resp.json["version"] == 1 and resp.json["points_per_hour"] == 12
    assert datetime.fromisoformat(resp.json["effective_from"]).tzinfo is not None
    elderly = _confirm(world, volunteer_id, "1.00", category="elderly")
    other = _confirm(world, volunteer_id, "1.00", category="environment")
    assert world.points(volunteer_id)["earned"] == 10 + 20 + 12
    entries = world.client.get("/api/v1/points/me/entries", headers=world.person(volunteer_id)).json["items"]
    assert {e["transfer_id"]: e["rule_version"] for e in entries} == {
        f"hours:{first}": 0, f"hours:{elderly}": 1, f"hours:{other}": 1}
    # a second publication carries over the fields it does not name
    resp = _publish(world, daily_cap_per_volunteer=100)
    assert resp.json["version"] == 2 and resp.json["category_rates"] == {"elderly": 20}
    current = world.client.get("/api/v1/points/rules", headers=world.person(volunteer_id)).json
    assert current["version"] == 2 and current["daily_cap_per_volunteer"] == 100


def test_a_version_effective_later_is_not_in_force_yet(world):
    later = (datetime.now(timezone.utc) + timedelta(days=1)).isoformat()
    assert _publish(world, points_per_hour=50, effective_from=later).status_code == 201
    volunteer_id = world.volunteer()
    _confirm(world, volunteer_id, "1.00")
    assert world.points(volunteer_id)["balance"] == 10
    assert world.client.get("/api/v1/points/rules", headers=world.ops).json["version"] == 0
    # and a version may not be slipped in before it
    resp = _publish(world, points_per_hour=5)
    assert resp.status_code == 400 and "effective_from" in resp.json["errors"]


def test_bad_publications_name_the_field_and_write_nothing(world):
    cases = [
        ({"points_per_hour": -1}, "points_per_hour"),
        ({"points_per_hour": "10"}, "points_per_hour"),
        ({"daily_cap_per_volunteer": 0}, "daily_cap_per_volunteer"),
        ({"category_rates": {"elderly": -1}}, "category_rates.elderly"),
        ({"category_rates": ["elderly"]}, "category_rates"),
        ({"star_upgrade_bonus": {"gold": 10}}, "star_upgrade_bonus"),
        ({"commendation_bonus": {"city": 1.5}}, "commendation_bonus.city"),
        ({"effective_from": "2020-01-01T00:00:00+00:00"}, "effective_from"),
        ({"effective_from": "2030-01-01T00:00:00"}, "effective_from"),
        ({"organization_factors": {"o1": 0.4}}, "organization_factors.o1"),
        ({"organization_factors": {"o1": "3.01"}}, "organization_factors.o1"),
        ({"organization_factors": {"o1": 1.234}}, "organization_factors.o1"),
        ({"organization_factors": {"o1": True}}, "organization_factors.o1"),
        ({"organization_factors": {"o1": "abc"}}, "organization_factors.o1"),
        ({"organization_factors": {"bad id!": 1.5}}, "organization_factors"),
        ({"organization_factors": [1.5]}, "organization_factors"),
    ]
    for body, field in cases:
        resp = _publish(world, **body)
        assert resp.status_code == 400, (body, resp.json)
        assert resp.content_type == "application/problem+json"
        assert any(name.startswith(field) for name in resp.json["errors"]), (body, resp.json)
    assert world.client.get("/api/v1/points/rules", headers=world.ops).json["version"] == 0


def test_the_daily_cap_limits_one_served_on_date_and_records_the_rest(world):
    assert _publish(world, daily_cap_per_volunteer=50).status_code == 201
    volunteer_id = world.volunteer()
    a = _confirm(world, volunteer_id, "3.00", served_on="2025-03-01")
    b = _confirm(world, volunteer_id, "3.00", served_on="2025-03-01")
    c = _confirm(world, volunteer_id, "1.00", served_on="2025-03-01")
    d = _confirm(world, volunteer_id, "3.00", served_on="2025-03-02")  # another day, its own cap
    assert world.points(volunteer_id) == {"balance": 80, "earned": 80, "redeemed": 0, "debt": 0}
    rows = {r: _credit_row(world.app, r) for r in (a, b, c, d)}
    assert [(rows[r].points, rows[r].not_earned, rows[r].not_earned_reason) for r in (a, b, c, d)] == [
        (30, 0, None), (20, 10, "daily_cap"), (0, 10, "daily_cap"), (30, 0, None)]
    assert _transfer(world.app, f"hours:{c}") is None  # nothing to move
    # a revocation takes back what the record credited, and frees that part of the cap
    world.revoke(volunteer_id, b, "3.00")
    assert world.points(volunteer_id)["balance"] == 60
    e = _confirm(world, volunteer_id, "5.00", served_on="2025-03-01")
    assert _credit_row(world.app, e).points == 20


def test_unverified_hours_earn_nothing_when_the_setting_is_on(world, monkeypatch):
    volunteer_id = world.volunteer()
    _confirm(world, volunteer_id, "1.00", verified=False)
    assert world.points(volunteer_id)["balance"] == 10  # off by default
    monkeypatch.setenv("SHANXING_POINTS_VERIFIED_HOURS_ONLY", "true")
    unverified = _confirm(world, volunteer_id, "2.00", verified=False)
    _confirm(world, volunteer_id, "2.00", verified=True)
    assert world.points(volunteer_id)["balance"] == 30
    row = _credit_row(world.app, unverified)
    assert (row.points, row.not_earned, row.not_earned_reason) == (0, 20, "unverified")
    assert world.client.get("/api/v1/points/rules", headers=world.ops).json["verified_hours_only"] is True
    world.revoke(volunteer_id, unverified, "2.00")  # nothing was credited, nothing is taken
    assert world.points(volunteer_id) == {"balance": 30, "earned": 30, "redeemed": 0, "debt": 0}


def test_a_star_upgrade_earns_its_level_bonus_once_and_only_upward(world):
    assert _publish(world, star_upgrade_bonus={"2": 100, "3": 200}).status_code == 201
    volunteer_id = world.volunteer()
    _star(world, volunteer_id, 1, 2)
    assert world.points(volunteer_id) == {"balance": 100, "earned": 100, "redeemed": 0, "debt": 0}
    _star(world, volunteer_id, 2, 1)  # down: nothing
    _star(world, volunteer_id, 1, 2)  # back up to a level already rewarded: nothing
    assert world.points(volunteer_id)["balance"] == 100
    _star(world, volunteer_id, 2, 4)  # no bonus named for 4
    _star(world, volunteer_id, 2, 3)
    assert world.points(volunteer_id)["balance"] == 300
    transfer = _transfer(world.app, f"star:{volunteer_id}:3")
    assert (transfer.kind, transfer.amount, transfer.rule_version) == ("star", 200, 1)
    assert _transfer(world.app, f"star:{volunteer_id}:4") is None
    entries = world.client.get("/api/v1/points/me/entries", headers=world.person(volunteer_id)).json["items"]
    assert [(e["kind"], e["points"], e["rule_version"]) for e in entries] == [("star", 200, 1),
                                                                             ("star", 100, 1)]


def test_without_a_star_bonus_an_upgrade_moves_nothing(world):
    volunteer_id = world.volunteer()
    _star(world, volunteer_id, 0, 1)
    assert world.points(volunteer_id)["balance"] == 0
    assert _transfer(world.app, f"star:{volunteer_id}:1") is None


def test_a_commendation_earns_its_level_bonus_once(world):
    assert _publish(world, commendation_bonus={"city": 500, "street": 50}).status_code == 201
    volunteer_id = world.volunteer()
    event_id = str(uuid.uuid4())
    commendation_id = _commend(world, volunteer_id, "city", event_id=event_id)
    _commend(world, volunteer_id, "city", commendation_id=commendation_id, event_id=event_id)  # redelivery
    _commend(world, volunteer_id, "city", commendation_id=commendation_id)  # a second event, same cause
    _commend(world, volunteer_id, "community")  # no bonus for this level
    assert world.points(volunteer_id)["balance"] == 500
    transfer = _transfer(world.app, f"commendation:{commendation_id}")
    assert (transfer.kind, transfer.amount, transfer.rule_version) == ("commendation", 500, 1)


def test_a_bonus_settles_debt_first(world):
    assert _publish(world, commendation_bonus={"city": 30}).status_code == 201
    volunteer_id = world.volunteer()
    merchant = world.merchant()
    world.good(merchant, sku="rice", points=10, stock=10)
    record_id = world.confirm(volunteer_id, "2.00")
    assert world.redeem(merchant, world.code(volunteer_id), [{"sku": "rice", "quantity": 2}]).status_code == 201
    world.revoke(volunteer_id, record_id, "2.00")  # 20 spent, 20 revoked: 20 debt
    assert world.points(volunteer_id) == {"balance": 0, "earned": 0, "redeemed": 20, "debt": 20}
    _commend(world, volunteer_id, "city")
    assert world.points(volunteer_id) == {"balance": 10, "earned": 30, "redeemed": 20, "debt": 0}


def test_ops_list_every_version_newest_first(world):
    _publish(world, points_per_hour=12)
    _publish(world, daily_cap_per_volunteer=80)
    resp = world.client.get("/api/v1/points/rules/versions", headers=world.ops)
    assert resp.status_code == 200 and resp.json["next"] is None
    assert [(v["version"], v["points_per_hour"], v["daily_cap_per_volunteer"]) for v in resp.json["items"]] == [
        (2, 12, 80), (1, 12, None), (0, 10, None)]
    volunteer = world.person(world.volunteer())
    assert world.client.get("/api/v1/points/rules/versions", headers=volunteer).status_code == 403


def test_an_organizer_factor_multiplies_before_one_rounding_and_shows_in_the_entry(world):
    volunteer_id = world.volunteer()
    resp = _publish(world, organization_factors={"org-a": 1.5, "org-b": "0.50"})
    assert resp.status_code == 201, resp.json
    assert resp.json["organization_factors"] == {"org-a": "1.50", "org-b": "0.50"}
    a = _confirm(world, volunteer_id, "1.25", organization_id="org-a")  # 1.25 × 10 × 1.5 = 18.75 → 19
    b = _confirm(world, volunteer_id, "0.50", organization_id="org-b")  # 0.5 × 10 × 0.5 = 2.5 → 3
    c = _confirm(world, volunteer_id, "1.00", organization_id="org-c")  # not named: × 1.00
    assert world.points(volunteer_id)["earned"] == 19 + 3 + 10
    entries = world.client.get("/api/v1/points/me/entries", headers=world.person(volunteer_id)).json["items"]
    assert {e["transfer_id"]: (e["points"], e["rule_version"], e["organizer_factor"]) for e in entries} == {
        f"hours:{a}": (19, 1, "1.50"), f"hours:{b}": (3, 1, "0.50"), f"hours:{c}": (10, 1, "1.00")}
    row = _credit_row(world.app, a)
    assert (row.organization_id, row.organizer_factor, row.rule_version) == ("org-a", "1.50", 1)
    # a revocation takes back exactly what the factored record credited
    world.revoke(volunteer_id, a, "1.25")
    assert world.points(volunteer_id)["earned"] == 13


def test_factors_carry_over_until_replaced_and_the_cap_counts_factored_points(world):
    assert _publish(world, organization_factors={"org-a": 2}).status_code == 201
    assert _publish(world, daily_cap_per_volunteer=30).json["organization_factors"] == {"org-a": "2.00"}
    volunteer_id = world.volunteer()
    first = _confirm(world, volunteer_id, "2.00", organization_id="org-a", served_on="2025-05-01")
    assert (_credit_row(world.app, first).points, _credit_row(world.app, first).not_earned) == (30, 10)
    # publishing the map replaces it whole: org-a is back to 1.00
    assert _publish(world, organization_factors={"org-b": 3}).json["organization_factors"] == {"org-b": "3.00"}
    later = _confirm(world, volunteer_id, "1.00", organization_id="org-a", served_on="2025-05-02")
    assert _credit_row(world.app, later).points == 10
    # a bonus is not an hours credit: no factor on its entry
    _commend(world, volunteer_id, "city")
    entries = world.client.get("/api/v1/points/me/entries", headers=world.person(volunteer_id)).json["items"]
    assert [e["organizer_factor"] for e in entries if e["kind"] == "hours"] == ["1.00", "2.00"]


def test_a_redelivered_event_is_priced_by_its_own_time_factor_included(world):
    volunteer_id = world.volunteer()
    record_id = str(uuid.uuid4())
    data = {"record_id": record_id, "volunteer_id": volunteer_id, "activity_id": "a1",
            "organization_id": "org-a", "team_id": None, "region_code": "110105", "category": "elderly",
            "hours": "1.00", "served_on": "2025-01-02", "confirmed_by": "admin", "verified": True}
    assert deliver(world.app, "activities.hours_confirmed.v1", data) == "done"
    # a factor published afterwards does not re-price the record, nor credit it again
    assert _publish(world, organization_factors={"org-a": 3}).status_code == 201
    assert deliver(world.app, "activities.hours_confirmed.v1", data) == "done"
    assert world.points(volunteer_id)["earned"] == 10
    assert _transfer(world.app, f"hours:{record_id}").organizer_factor == "1.00"
