import pytest

from shanxing_common.testing import outbox_events
from shanxing_registry.adapters.models import volunteers

from .conftest import ID_KEY, OPS, assert_problem, check_char, person

VOLUNTEER_FIELDS = {"id", "name", "id_number", "phone", "region_code", "skills", "preferences",
                    "star_level", "total_hours"}


def test_registration_answers_the_masked_profile(world, client):
    body = world.registration(name=" 欧阳小明 ", id_number="11010519491231002x", phone="13812345678",
                              skills=["first_aid", " cooking ", "first_aid"])
    resp = client.post("/api/v1/volunteers", json=body)
    assert resp.status_code == 201, resp.get_json()
    profile = resp.get_json()
    assert VOLUNTEER_FIELDS <= set(profile)
    assert profile["name"] == "欧阳小明"
    assert profile["id_number"] == "110105********002X"
    assert profile["phone"] == "138****5678"
    assert profile["skills"] == ["first_aid", "cooking"] and profile["preferences"] == ["elderly"]
    assert profile["star_level"] == 0 and profile["total_hours"] == "0.00"
    assert "password" not in profile and "password_hash" not in profile


def test_registration_emits_the_event_with_a_masked_name(world, app):
    profile = world.volunteer(name="欧阳小明", region_code="110105001")
    [event] = outbox_events(app, "registry.volunteer_registered.v1")
    assert event["producer"] == "registry"
    data = event["data"]
    assert data["volunteer_id"] == profile["id"] and data["display_name"] == "欧**明"
    assert data["region_code"] == "110105001" and data["skills"] == ["first_aid"]
    assert data["preferences"] == ["elderly"] and data["registered_at"].startswith("2030-06-05T02:00")
    assert "id_number" not in data and "phone" not in data


def test_id_number_is_encrypted_at_rest(world, app):
    world.volunteer(id_number="11010519491231002X")
    with app.extensions["shanxing"].db.read() as s:
        row = s.execute(volunteers.select()).one()
    assert "1949" not in row.id_number_encrypted and "002X" not in row.id_number_encrypted
    assert len(row.id_number_hash) == 64 and "1949" not in row.id_number_hash


def test_me_shows_the_same_masked_shape(world, client):
    profile = world.volunteer(phone="13900001111")
    resp = client.get("/api/v1/volunteers/me", headers=person(profile["id"]))
    assert resp.status_code == 200
    me = resp.get_json()
    assert {k: me[k] for k in VOLUNTEER_FIELDS} == {k: profile[k] for k in VOLUNTEER_FIELDS}
    assert me["phone"] == "139****1111"


def test_me_needs_a_person_with_a_profile(client):
    assert_problem(client.get("/api/v1/volunteers/me"), 401)
    assert_problem(client.get("/api/v1/volunteers/me", headers=OPS), 404)


def test_me_is_not_for_services(client):
    from shanxing_common.testing import headers_for

    assert_problem(client.get("/api/v1/volunteers/me", headers=headers_for(kind="service", subject="x")), 403)


@pytest.mark.parametrize("field, value", [
    ("id_number", "110105194912310021"),         # wrong check digit
    ("id_number", "11010519491231002"),          # 17 characters
    ("id_number", "110105194902300020"[:17] + check_char("11010519490230002")),  # 30 February
    ("id_number", "11010520300701001" + check_char("11010520300701001")),  # born after "today" (2030-06-05)
    ("id_number", "110105189912310010"[:17] + check_char("11010518991231001")),  # before 1900
    ("id_number", 110105194912310021),
    ("phone", "12345678901"),
    ("phone", "1381234567"),
    ("password", "short"),
    ("password", "x" * 129),
    ("name", " 张 "),
    ("name", "x" * 31),
    ("region_code", "11010"),
    ("region_code", "1101050010011"),
    ("region_code", "abcdef"),
    ("skills", ["x" * 31]),
    ("skills", [""]),
    ("skills", [f"s{i}" for i in range(21)]),
    ("skills", "first_aid"),
    ("preferences", ["y" * 31]),
])
def test_each_invalid_field_is_named(world, client, app, field, value):
    resp = client.post("/api/v1/volunteers", json=world.registration(**{field: value}))
    body = assert_problem(resp, 400)
    assert any(key == field or key.startswith(field + ".") for key in body["errors"]), body
    assert outbox_events(app) == []


@pytest.mark.parametrize("field", ["name", "id_number", "phone", "password", "region_code"])
def test_missing_fields_are_named(world, client, field):
    body = world.registration()
    del body[field]
    assert_problem(client.post("/api/v1/volunteers", json=body), 400, field)


def test_several_bad_fields_are_named_together(world, client):
    resp = client.post("/api/v1/volunteers", json=world.registration(
        id_number="110105194912310021", phone="12345", password="short"))
    assert_problem(resp, 400, "id_number", "phone", "password")


def test_skills_and_preferences_default_to_empty_and_unknown_fields_are_ignored(world, client):
    body = world.registration(star_level=5, total_hours="99.00")
    del body["skills"], body["preferences"]
    profile = client.post("/api/v1/volunteers", json=body).get_json()
    assert profile["skills"] == [] and profile["preferences"] == []
    assert profile["star_level"] == 0 and profile["total_hours"] == "0.00"


def test_a_body_that_is_not_json_is_400(client):
    resp = client.post("/api/v1/volunteers", data="name=x", content_type="application/x-www-form-urlencoded")
    assert resp.status_code in (400, 415) and resp.headers["Content-Type"].startswith("application/problem+json")


def test_duplicate_phone_is_409_naming_phone(world, client, app):
    first = world.volunteer(phone="13812345678")
    resp = client.post("/api/v1/volunteers", json=world.registration(phone="13812345678"))
    assert_problem(resp, 409, "phone")
    assert [e["data"]["volunteer_id"] for e in outbox_events(app)] == [first["id"]]


def test_duplicate_id_number_is_409_naming_id_number(world, client):
    world.volunteer(id_number="11010519491231002X")
    resp = client.post("/api/v1/volunteers", json=world.registration(id_number="11010519491231002x"))
    assert_problem(resp, 409, "id_number")


def test_the_ops_phone_cannot_be_registered_again(world, client, app):
    from shanxing_registry.service.staff import ensure_dev_ops

    ensure_dev_ops(app.extensions["shanxing"].db)
    assert_problem(client.post("/api/v1/volunteers", json=world.registration(phone="19900000000")), 409, "phone")


def test_birth_date_today_in_shanghai_is_accepted(world, client, clock):
    # 2030-06-05 02:00 UTC is already 10:00 on the 5th in Asia/Shanghai.
    body = "11010520300605001"
    world.volunteer(id_number=body + check_char(body))
    tomorrow = "11010520300606001"
    resp = client.post("/api/v1/volunteers", json=world.registration(id_number=tomorrow + check_char(tomorrow)))
    assert_problem(resp, 400, "id_number")


def test_rotated_key_still_reads_old_rows_and_reencrypts(world, settings, monkeypatch, clock):
    from shanxing_registry import create_app
    from shanxing_registry.config import RegistryConfig
    from shanxing_registry.runtime import Registry
    from shanxing_registry.service.volunteers import reencrypt_id_numbers

    profile = world.volunteer(id_number="11010519491231002X")
    monkeypatch.setenv("SHANXING_REGISTRY_ID_KEY", "a-brand-new-registry-id-key-0123456789abcdef")
    monkeypatch.setenv("SHANXING_REGISTRY_ID_KEY_OLD", ID_KEY)
    rotated = create_app(settings, clock=clock)
    me = rotated.test_client().get("/api/v1/volunteers/me", headers=person(profile["id"]))
    assert me.get_json()["id_number"] == "110105********002X"
    db = rotated.extensions["shanxing"].db
    assert reencrypt_id_numbers(db, Registry.from_config(RegistryConfig.from_env())) == 1
    assert reencrypt_id_numbers(db, Registry.from_config(RegistryConfig.from_env())) == 0
    db.dispose()

    monkeypatch.delenv("SHANXING_REGISTRY_ID_KEY_OLD")
    only_new = create_app(settings, clock=clock)
    client = only_new.test_client()
    try:
        me = client.get("/api/v1/volunteers/me", headers=person(profile["id"]))
        assert me.get_json()["id_number"] == "110105********002X"
        # The keyed hash does not change with the encryption key: duplicates are still found.
        dup = client.post("/api/v1/volunteers", json=world.registration(id_number="11010519491231002X"))
        assert_problem(dup, 409, "id_number")
    finally:
        only_new.extensions["shanxing"].db.dispose()


def test_short_keys_are_refused_in_production(monkeypatch, settings):
    from shanxing_common.config import ConfigError
    from shanxing_registry.config import RegistryConfig

    monkeypatch.setenv("SHANXING_REGISTRY_ID_KEY", "too-short")
    with pytest.raises(ConfigError):
        RegistryConfig.from_env()
    monkeypatch.setenv("SHANXING_ENV", "production")
    monkeypatch.delenv("SHANXING_REGISTRY_ID_KEY")
    with pytest.raises(ConfigError):
        RegistryConfig.from_env()


def test_dev_mode_generates_keys_in_the_data_dir(monkeypatch, tmp_path):
    from shanxing_registry.config import RegistryConfig

    monkeypatch.setenv("SHANXING_ENV", "dev")
    monkeypatch.delenv("SHANXING_REGISTRY_ID_KEY")
    monkeypatch.delenv("SHANXING_REGISTRY_ID_HASH_KEY")
    first, second = RegistryConfig.from_env(), RegistryConfig.from_env()
    assert first.id_key == second.id_key and first.id_key != first.id_hash_key
    assert (tmp_path / "secrets" / "registry-id.key").exists()
