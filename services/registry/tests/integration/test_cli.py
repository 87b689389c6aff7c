from click.testing import CliRunner
from sqlalchemy import select

from shanxing_registry.adapters.models import accounts
from shanxing_registry.cli import cli


def env_for(settings, **extra):
    return {"SHANXING_ENV": "dev", "SHANXING_DATA_DIR": str(settings.data_dir),
            "SHANXING_REGISTRY_DATABASE_URL": settings.database_url, **extra}


def staff(app):
    with app.extensions["shanxing"].db.read() as s:
        return s.execute(select(accounts.c.phone, accounts.c.roles, accounts.c.kind)
                         .where(accounts.c.kind == "staff").order_by(accounts.c.phone)).all()


def test_ensure_dev_ops_is_idempotent(app, settings):
    runner = CliRunner()
    first = runner.invoke(cli, ["ensure-dev-ops"], env=env_for(settings))
    assert first.exit_code == 0, first.output
    assert "created" in first.output
    second = runner.invoke(cli, ["ensure-dev-ops"], env=env_for(settings))
    assert second.exit_code == 0 and "present" in second.output
    assert [tuple(r) for r in staff(app)] == [("19900000000", ["ops"], "staff")]


def test_ensure_dev_ops_refuses_outside_dev(app, settings):
    result = CliRunner().invoke(cli, ["ensure-dev-ops"], env=env_for(settings, SHANXING_ENV="production"))
    assert result.exit_code != 0 and "SHANXING_ENV=dev" in result.output
    assert staff(app) == []


def test_ensure_dev_ops_refuses_a_volunteer_with_that_phone(app, settings, world):
    world.volunteer(phone="19900000000")
    result = CliRunner().invoke(cli, ["ensure-dev-ops"], env=env_for(settings))
    assert result.exit_code != 0 and "volunteer" in result.output


def test_create_ops_from_stdin_then_it_can_sign_in(app, settings, client):
    from .conftest import GATEWAY

    env = env_for(settings, SHANXING_ENV="production", SHANXING_INTERNAL_KEY="k" * 40)
    result = CliRunner().invoke(cli, ["create-ops", "--phone", "13900000001", "--password-stdin"],
                                input="a-long-ops-password\n", env=env)
    assert result.exit_code == 0, result.output
    resp = client.post("/internal/auth/verify", json={"phone": "13900000001", "password": "a-long-ops-password"},
                       headers=GATEWAY)
    assert resp.status_code == 200 and resp.get_json()["roles"] == ["ops"]
    again = CliRunner().invoke(cli, ["create-ops", "--phone", "13900000001", "--password-stdin"],
                               input="a-long-ops-password\n", env=env)
    assert again.exit_code != 0 and "already registered" in again.output


def test_create_ops_prompts_and_checks_input(app, settings):
    runner = CliRunner()
    prompted = runner.invoke(cli, ["create-ops", "--phone", "13900000002"],
                             input="a-long-ops-password\na-long-ops-password\n", env=env_for(settings))
    assert prompted.exit_code == 0, prompted.output
    short = runner.invoke(cli, ["create-ops", "--phone", "13900000003", "--password-stdin"], input="short\n",
                          env=env_for(settings))
    assert short.exit_code != 0 and "8 to 128" in short.output
    bad_phone = runner.invoke(cli, ["create-ops", "--phone", "12345", "--password-stdin"],
                              input="a-long-ops-password\n", env=env_for(settings))
    assert bad_phone.exit_code != 0 and "--phone" in bad_phone.output
    assert [r.phone for r in staff(app)] == ["13900000002"]
