"""GET /api/v1/volunteers/me/recommendations: joinable activities ranked by skills, preferences,
free time and distance from home, each with its reason."""
from datetime import datetime, timedelta, timezone

from shanxing_common.testing import deliver

from .conftest import assert_problem

HOME = (39.92, 116.44)
SATURDAY_9_LOCAL = datetime(2030, 6, 8, 1, 0, tzinfo=timezone.utc)  # 09:00 Asia/Shanghai


def profile(world, volunteer_id, *, home=HOME, availability=None, skills=("first_aid",)):
    deliver(world.app, "registry.volunteer_updated.v1", {
        "volunteer_id": volunteer_id, "display_name": "张*明", "region_code": "110105",
        "skills": list(skills), "preferences": ["elderly"],
        "availability": availability if availability is not None else [
            {"weekday": 6, "start": "08:30", "end": "18:00"}, {"weekday": 9, "start": "bad", "end": "x"}],
        "home_location": {"latitude": home[0], "longitude": home[1]} if home else None})


def post(world, org, admin, starts_at, hours=3, **overrides):
    return world.published_activity(org, admin, starts_at=starts_at.isoformat(),
                                    ends_at=(starts_at + timedelta(hours=hours)).isoformat(), **overrides)


def recommended(world, volunteer_id):
    resp = world.client.get("/api/v1/volunteers/me/recommendations", headers=world.person(volunteer_id))
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()["items"]


def test_ranks_joinable_activities_and_explains_why(world):
    admin, org = world.organizer()
    volunteer = world.volunteer()
    profile(world, volunteer)
    best = post(world, org, admin, SATURDAY_9_LOCAL, latitude=HOME[0] + 0.007, longitude=HOME[1])
    farther = post(world, org, admin, SATURDAY_9_LOCAL + timedelta(days=1), category="environment",
                   skills=[], latitude=HOME[0] + 0.045, longitude=HOME[1])
    post(world, org, admin, SATURDAY_9_LOCAL, skills=["driving"])  # a skill the volunteer lacks
    post(world, org, admin, SATURDAY_9_LOCAL, latitude=HOME[0] + 0.3)  # outside the search box
    full = post(world, org, admin, SATURDAY_9_LOCAL + timedelta(days=2), capacity=1)
    assert world.sign_up(full["id"], world.volunteer()).status_code == 201
    joined = post(world, org, admin, SATURDAY_9_LOCAL + timedelta(days=3))
    assert world.sign_up(joined["id"], volunteer).status_code == 201
    post(world, org, admin, SATURDAY_9_LOCAL + timedelta(days=3, hours=1))  # clashes with `joined`
    world.pending_activity(org, admin, starts_at=SATURDAY_9_LOCAL.isoformat(),
                           ends_at=(SATURDAY_9_LOCAL + timedelta(hours=2)).isoformat())

    items = recommended(world, volunteer)
    assert [i["activity_id"] for i in items] == [best["id"], farther["id"]]
    assert items[0]["reason"] == "需要first_aid技能 · 符合您的偏好：elderly · 周六 09:00 有空 · 780 米"
    assert items[1]["reason"] == "5.0 公里"
    assert items[0]["score"] > items[1]["score"]
    assert {"title", "starts_at", "address", "capacity", "signed_up"} <= set(items[0])


def test_started_activities_are_not_suggested(world):
    admin, org = world.organizer()
    volunteer = world.volunteer()
    profile(world, volunteer)
    post(world, org, admin, world.clock.now() + timedelta(minutes=30))
    assert len(recommended(world, volunteer)) == 1
    world.clock.advance(hours=1)
    assert recommended(world, volunteer) == []


def test_without_a_home_the_city_bounds_the_candidates(world):
    admin, org = world.organizer()
    other_admin = world.volunteer("李*组")
    elsewhere = world.organization(other_admin, region_code="310101")
    volunteer = world.volunteer()
    profile(world, volunteer, home=None, availability=[])
    here = post(world, org, admin, SATURDAY_9_LOCAL, latitude=10.0, longitude=10.0)
    post(world, elsewhere, other_admin, SATURDAY_9_LOCAL)
    items = recommended(world, volunteer)
    assert [i["activity_id"] for i in items] == [here["id"]]
    assert items[0]["reason"] == "需要first_aid技能 · 符合您的偏好：elderly"


def test_at_most_twenty_and_only_for_volunteers(world):
    admin, org = world.organizer()
    volunteer = world.volunteer()
    profile(world, volunteer)
    for day in range(22):
        post(world, org, admin, SATURDAY_9_LOCAL + timedelta(days=day), hours=1)
    assert len(recommended(world, volunteer)) == 20
    assert_problem(world.client.get("/api/v1/volunteers/me/recommendations", headers=world.ops), 403)
