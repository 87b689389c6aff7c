"""SHANXING_REVIEW_DUE_HOURS and SHANXING_CHECKIN_RADIUS_METERS change what the service does."""
from datetime import datetime, timedelta

import pytest

from shanxing_activities import create_app
from shanxing_common.config import ConfigError
from shanxing_common import testing

from .conftest import NOWHERE, World


@pytest.fixture
def tuned(tmp_path, clock):
    settings = testing.test_settings("activities", "shanxing_activities", tmp_path, extra={
        "review_due_hours": "24", "checkin_radius_meters": "50"},
        peers={"registry": NOWHERE, "points": NOWHERE, "gateway": NOWHERE})
    app = create_app(settings, clock=clock)
    yield World(app, app.test_client(), clock)
    app.extensions["shanxing"].db.dispose()


def test_the_review_deadline_and_the_check_in_radius_are_settings(tuned, problem):
    admin_id, org_id = tuned.organizer()
    pending = tuned.pending_activity(org_id, admin_id)
    assert datetime.fromisoformat(pending["review_due_at"]) == tuned.clock.now() + timedelta(hours=24)
    activity = tuned.published_activity(org_id, admin_id, starts_at=(tuned.clock.now() + timedelta(hours=2)).isoformat(),
                                        ends_at=(tuned.clock.now() + timedelta(hours=3)).isoformat())
    volunteer = tuned.volunteer()
    tuned.sign_up(activity["id"], volunteer)
    tuned.clock.advance(hours=2)
    code = tuned.client.get(f"/api/v1/activities/{activity['id']}/checkin-code",
                            headers=tuned.person(admin_id)).get_json()["code"]
    path = f"/api/v1/activities/{activity['id']}/checkin"
    about_100_m = {"code": code, "latitude": 39.9209, "longitude": 116.44}
    problem(tuned.client.post(path, json=about_100_m, headers=tuned.person(volunteer)), 400, "latitude")
    close = {"code": code, "latitude": 39.9202, "longitude": 116.44}
    assert tuned.client.post(path, json=close, headers=tuned.person(volunteer)).status_code == 200


@pytest.mark.parametrize("extra", [{"review_due_hours": "soon"}, {"review_due_hours": "0"},
                                   {"checkin_radius_meters": "far"}, {"checkin_radius_meters": "-1"}])
def test_bad_settings_stop_the_service(tmp_path, extra):
    settings = testing.test_settings("activities", "shanxing_activities", tmp_path, extra=extra)
    with pytest.raises(ConfigError):
        create_app(settings)
