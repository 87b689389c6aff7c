"""SIGKILL the whole suite right after hours are confirmed; `make run` again credits them once."""
import time

import pytest

from .flows import approved_organization, published_activity, register_volunteer, wait_until_started
from .harness import Client, OPS_PASSWORD, OPS_PHONE, Suite, eventually
from .conftest import purge_broker

pytestmark = pytest.mark.e2e


def test_points_credited_exactly_once_after_sigkill_and_restart(tmp_path):
    purge_broker()
    suite = Suite(tmp_path / "data", "crash").start()
    try:
        anon = Client(suite.url)
        ops = anon.login(OPS_PHONE, OPS_PASSWORD)
        volunteer, me = register_volunteer(anon, name="孙坚持")
        organizer_profile, organizer = register_volunteer(anon, name="周组织")
        org = approved_organization(ops, organizer, organizer_profile["id"])
        activity = published_activity(ops, organizer, org.get("id") or org["organization_id"])
        assert me.post(f"/api/v1/activities/{activity['id']}/signups").status_code == 201
        wait_until_started(activity)
        resp = organizer.post(f"/api/v1/activities/{activity['id']}/hours",
                              {"records": [{"volunteer_id": volunteer["id"], "hours": 1.5}]})
        assert resp.status_code == 201, resp.text
    except BaseException:
        suite.kill()
        raise
    suite.kill()  # no process had a chance to finish anything

    suite.start()
    try:
        # Same port and data dir, so the token issued before the crash is still good.
        balance = eventually(lambda: me.get("/api/v1/points/me").json()["balance"] == 15, timeout=60)
        assert balance, me.get("/api/v1/points/me").text
        time.sleep(3)  # let any duplicate delivery arrive
        assert me.get("/api/v1/points/me").json()["balance"] == 15
        assert [e["points"] for e in me.get("/api/v1/points/me/entries").json()["items"]] == [15]
    finally:
        leftovers = suite.stop()
    assert not leftovers
