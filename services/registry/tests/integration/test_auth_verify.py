import pytest
from sqlalchemy import select

from shanxing_registry.adapters.models import accounts
from shanxing_registry.service.staff import DEV_OPS_PASSWORD, DEV_OPS_PHONE, ensure_dev_ops

from .conftest import GATEWAY, PASSWORD, assert_problem, person

VERIFY = "/internal/auth/verify"


def verify(client, phone, password, headers=GATEWAY):
    return client.post(VERIFY, json={"phone": phone, "password": password}, headers=headers)


def failed_logins(app, phone):
    with app.extensions["shanxing"].db.read() as s:
        return s.execute(select(accounts.c.failed_logins).where(accounts.c.phone == phone)).scalar()


def test_a_volunteer_gets_subject_roles_and_masked_name(world, client):
    profile = world.volunteer(name="王小明", phone="13812345678")
    resp = verify(client, "13812345678", PASSWORD)
    assert resp.status_code == 200
    assert resp.get_json() == {"subject": profile["id"], "roles": ["volunteer"], "display_name": "王*明"}


def test_the_dev_ops_account_has_the_ops_role(app, client):
    account_id, created = ensure_dev_ops(app.extensions["shanxing"].db)
    assert created
    body = verify(client, DEV_OPS_PHONE, DEV_OPS_PASSWORD).get_json()
    assert body["subject"] == account_id and body["roles"] == ["ops"]
    assert body["display_name"] == "199****0000"


def test_wrong_password_and_unknown_phone_get_the_same_401(world, client):
    world.volunteer(phone="13812345678")
    wrong = assert_problem(verify(client, "13812345678", "not-the-password"), 401)
    unknown = assert_problem(verify(client, "13900000009", PASSWORD), 401)
    assert wrong["detail"] == unknown["detail"] == "invalid phone or password"
    assert set(wrong) == set(unknown)


@pytest.mark.parametrize("headers", [{}, person("someone"), person("ops", "ops")])
def test_only_services_may_verify(world, client, headers):
    world.volunteer(phone="13812345678")
    resp = verify(client, "13812345678", PASSWORD, headers=headers)
    assert_problem(resp, 401 if not headers else 403)


def test_missing_fields_are_named(client):
    assert_problem(client.post(VERIFY, json={"phone": "13812345678"}, headers=GATEWAY), 400, "password")
    assert_problem(client.post(VERIFY, json={"password": "x"}, headers=GATEWAY), 400, "phone")


def test_five_failures_then_429_with_retry_after_until_the_window_frees(world, client, clock, app):
    world.volunteer(phone="13812345678")
    for _ in range(5):
        assert_problem(verify(client, "13812345678", "wrong-password"), 401)
        clock.advance(seconds=10)
    # The window opened at the first failure, 50 s ago: 850 s remain. The right password is not
    # even checked now.
    resp = verify(client, "13812345678", PASSWORD)
    assert_problem(resp, 429)
    assert resp.headers["Retry-After"] == "850"
    assert failed_logins(app, "13812345678") == 5
    clock.advance(seconds=849)
    assert verify(client, "13812345678", PASSWORD).headers["Retry-After"] == "1"
    clock.advance(seconds=1)
    assert verify(client, "13812345678", PASSWORD).status_code == 200
    assert failed_logins(app, "13812345678") == 0


def test_a_success_resets_the_count(world, client, app):
    world.volunteer(phone="13812345678")
    for _ in range(4):
        assert verify(client, "13812345678", "wrong-password").status_code == 401
    assert verify(client, "13812345678", PASSWORD).status_code == 200
    for _ in range(4):
        assert verify(client, "13812345678", "wrong-password").status_code == 401
    assert verify(client, "13812345678", PASSWORD).status_code == 200


def test_throttling_is_per_account(world, client):
    world.volunteer(phone="13812345678")
    world.volunteer(phone="13812345679")
    for _ in range(5):
        verify(client, "13812345678", "wrong-password")
    assert verify(client, "13812345678", PASSWORD).status_code == 429
    assert verify(client, "13812345679", PASSWORD).status_code == 200


def test_limits_come_from_settings(monkeypatch, settings, clock, world):
    from shanxing_registry import create_app

    monkeypatch.setenv("SHANXING_LOGIN_MAX_FAILURES", "2")
    monkeypatch.setenv("SHANXING_LOGIN_WINDOW_SECONDS", "60")
    app = create_app(settings, clock=clock)
    try:
        client = app.test_client()
        world.client = client
        world.volunteer(phone="13812345678")
        for _ in range(2):
            assert verify(client, "13812345678", "wrong-password").status_code == 401
        resp = verify(client, "13812345678", PASSWORD)
        assert resp.status_code == 429 and resp.headers["Retry-After"] == "60"
    finally:
        app.extensions["shanxing"].db.dispose()
