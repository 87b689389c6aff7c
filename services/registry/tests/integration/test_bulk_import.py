"""shanxing-registry import-volunteers: validation, report, batches all-or-nothing, resume, events,
and activation of imported accounts."""
import csv

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from shanxing_common.testing import outbox_events
from shanxing_registry.adapters import repository as repo
from shanxing_registry.adapters.models import accounts, import_checkpoints, volunteers
from shanxing_registry.cli import cli
from shanxing_registry.service.bulk_import import import_volunteers

from .conftest import GATEWAY, PASSWORD, assert_problem, new_id_number, new_phone
from .test_cli import env_for

HEADER = "name,id_number,phone,region_code,skills,preferences\n"
REGISTERED = "registry.volunteer_registered.v1"


def write_csv(path, lines, *, bom=False):
    path.write_text(("\ufeff" if bom else "") + HEADER + "".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def valid_line(name="李四", **overrides):
    values = {"name": name, "id_number": new_id_number(), "phone": new_phone(), "region_code": "110105",
              "skills": "first_aid|driving", "preferences": "elderly"}
    values.update(overrides)
    return ",".join(values[c] for c in ("name", "id_number", "phone", "region_code", "skills", "preferences"))


def count(app, table) -> int:
    with app.extensions["shanxing"].db.read() as s:
        return s.execute(select(func.count()).select_from(table)).scalar()


def read_report(path):
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_import_takes_valid_rows_and_reports_the_others(app, settings, client, world, tmp_path):
    existing = world.volunteer()
    duplicate_phone = new_phone()
    lines = [
        valid_line("张三", phone=duplicate_phone, skills="first_aid|first_aid|driving"),  # line 2
        valid_line("王五", id_number="110105199003070010"),  # line 3: wrong check digit (…0010 → X)
        valid_line("x", phone="12345"),  # line 4: two broken rules
        valid_line("赵六", phone=duplicate_phone),  # line 5: repeats line 2's phone
        None,  # line 6: the phone of a volunteer already registered through the API
        valid_line("周八", skills="", preferences=""),  # line 7
    ]
    with app.extensions["shanxing"].db.read() as s:
        registered_phone = s.execute(select(accounts.c.phone).where(accounts.c.id == existing["id"])).scalar()
    lines[4] = valid_line("孙七", phone=registered_phone)
    source = write_csv(tmp_path / "volunteers.csv", lines, bom=True)
    report = tmp_path / "rejected.csv"

    result = CliRunner().invoke(cli, ["import-volunteers", str(source), "--report", str(report), "--batch", "2"],
                                env=env_for(settings))

    assert result.exit_code == 0, result.output
    assert "2 volunteer(s) imported, 4 rejected" in result.output
    rejected = read_report(report)
    assert [int(r["line"]) for r in rejected] == [3, 4, 5, 6]
    reasons = {int(r["line"]): r["reasons"] for r in rejected}
    assert reasons[3] == "id_number: check digit does not match"
    assert "name:" in reasons[4] and "phone:" in reasons[4]
    assert reasons[5] == "phone: repeats line 2"
    assert reasons[6] == "phone: is already registered"
    assert rejected[0]["name"] == "王五" and rejected[0]["region_code"] == "110105"
    assert count(app, volunteers) == 1 + 2
    with app.extensions["shanxing"].db.read() as s:
        imported = s.execute(select(volunteers.c.name, volunteers.c.skills, accounts.c.password_set)
                             .join(accounts, accounts.c.id == volunteers.c.id)
                             .where(volunteers.c.id != existing["id"]).order_by(volunteers.c.name)).all()
    assert [(r.name, list(r.skills), r.password_set) for r in imported] == [
        ("周八", [], False), ("张三", ["first_aid", "driving"], False)]
    events = [e for e in outbox_events(app, REGISTERED) if e["data"]["volunteer_id"] != existing["id"]]
    assert sorted(e["data"]["display_name"] for e in events) == ["周*", "张*"]


def test_line_numbers_and_counts_hold_without_a_report(app, settings, tmp_path):
    source = write_csv(tmp_path / "v.csv", [valid_line(), "", valid_line(phone="1")])
    result = CliRunner().invoke(cli, ["import-volunteers", str(source)], env=env_for(settings))
    assert result.exit_code == 0, result.output
    assert "1 volunteer(s) imported, 1 rejected" in result.output


def test_a_file_without_the_required_columns_is_refused(app, settings, tmp_path):
    source = tmp_path / "v.csv"
    source.write_text("name,phone\n李四,13800000000\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["import-volunteers", str(source)], env=env_for(settings))
    assert result.exit_code != 0 and "id_number, region_code" in result.output
    assert count(app, volunteers) == 0


def test_a_failed_batch_leaves_nothing_and_a_rerun_resumes_after_the_last_committed_one(
        app, tmp_path, monkeypatch):
    db, reg = app.extensions["shanxing"].db, app.extensions["shanxing"].extra["registry"]
    source = write_csv(tmp_path / "v.csv", [valid_line(f"志愿者{i}") for i in range(7)] + [valid_line(phone="x")])
    report = tmp_path / "rejected.csv"
    real_insert, calls = repo.insert_outbox_many, []

    def failing_second_batch(session, rows):
        calls.append(len(rows))
        real_insert(session, rows)  # written, then the batch fails: all of it must roll back
        if len(calls) == 2:
            raise RuntimeError("connection lost")

    monkeypatch.setattr(repo, "insert_outbox_many", failing_second_batch)
    with pytest.raises(RuntimeError):
        import_volunteers(db, reg, source, report_path=report, batch_size=3)
    assert count(app, volunteers) == 3 and count(app, accounts) == 3
    assert len(outbox_events(app, REGISTERED)) == 3
    with db.read() as s:
        checkpoint = s.execute(select(import_checkpoints)).one()
    assert (checkpoint.last_line, checkpoint.imported, checkpoint.completed_at) == (4, 3, None)

    monkeypatch.setattr(repo, "insert_outbox_many", real_insert)
    result = import_volunteers(db, reg, source, report_path=report, batch_size=3)
    assert (result.resumed_after_line, result.imported, result.rejected) == (4, 7, 1)
    assert count(app, volunteers) == 7
    events = outbox_events(app, REGISTERED)
    assert len(events) == 7 and len({e["data"]["volunteer_id"] for e in events}) == 7
    assert [int(r["line"]) for r in read_report(report)] == [9]

    again = import_volunteers(db, reg, source, report_path=report, batch_size=3)
    assert again.already_complete and again.imported == 7
    assert count(app, volunteers) == 7


def test_the_same_people_in_another_file_are_not_imported_twice(app, tmp_path):
    db, reg = app.extensions["shanxing"].db, app.extensions["shanxing"].extra["registry"]
    lines = [valid_line(), valid_line()]
    first = import_volunteers(db, reg, write_csv(tmp_path / "a.csv", lines))
    second = import_volunteers(db, reg, write_csv(tmp_path / "b.csv", lines + [valid_line()]),
                               report_path=tmp_path / "r.csv")
    assert (first.imported, second.imported, second.rejected) == (2, 1, 2)
    assert {r["reasons"] for r in read_report(tmp_path / "r.csv")} == {
        "phone: is already registered; id_number: is already registered"}


def test_an_imported_volunteer_signs_in_only_after_activation(app, client, tmp_path):
    db, reg = app.extensions["shanxing"].db, app.extensions["shanxing"].extra["registry"]
    id_number, phone = new_id_number(), new_phone()
    import_volunteers(db, reg, write_csv(tmp_path / "v.csv", [valid_line("陈明", id_number=id_number, phone=phone)]))

    def sign_in(password):
        return client.post("/internal/auth/verify", json={"phone": phone, "password": password}, headers=GATEWAY)

    assert sign_in(PASSWORD).status_code == 401
    assert sign_in("").status_code in (400, 401)
    wrong = client.post("/api/v1/volunteers/activate",
                        json={"phone": phone, "id_number": new_id_number(), "password": PASSWORD})
    assert_problem(wrong, 400, "phone")
    done = client.post("/api/v1/volunteers/activate",
                       json={"phone": phone, "id_number": id_number.lower(), "password": PASSWORD})
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["name"] == "陈明" and done.get_json()["phone"].startswith(phone[:3] + "****")
    assert sign_in(PASSWORD).status_code == 200
    again = client.post("/api/v1/volunteers/activate",
                        json={"phone": phone, "id_number": id_number, "password": "another-password"})
    assert_problem(again, 400, "phone")
    assert sign_in(PASSWORD).status_code == 200


def test_activation_is_only_for_imported_accounts(client, world):
    body = world.registration()
    client.post("/api/v1/volunteers", json=body)
    resp = client.post("/api/v1/volunteers/activate",
                       json={"phone": body["phone"], "id_number": body["id_number"], "password": "new-password-1"})
    assert_problem(resp, 400, "phone")


@pytest.mark.parametrize("workers", [0, 1])
def test_rows_prepared_in_worker_processes_import_alike(app, world, tmp_path, workers):
    """Batches written without looking up first: the one with a registered phone is refused by the
    unique index, rolled back and written again with the lookup; the batches around it are whole."""
    db, reg = app.extensions["shanxing"].db, app.extensions["shanxing"].extra["registry"]
    existing = world.volunteer()
    with db.read() as s:
        registered_phone = s.execute(select(accounts.c.phone).where(accounts.c.id == existing["id"])).scalar()
    lines = [valid_line(f"志愿者{i}") for i in range(9)]
    lines[4] = valid_line("重复者", phone=registered_phone)  # line 6, in the second batch
    lines[7] = valid_line("坏行", phone="12")  # line 9, third batch
    lines[8] = valid_line('"志愿者\n8"')  # lines 10-11: a quoted line break, collapsed to a space
    lines.append(valid_line("再来", phone=lines[0].split(",")[2]))  # line 12 repeats line 2's phone
    report = tmp_path / "rejected.csv"

    result = import_volunteers(db, reg, write_csv(tmp_path / "v.csv", lines), report_path=report,
                               batch_size=3, workers=workers)

    assert (result.imported, result.rejected, result.last_line) == (7, 3, 12)
    assert [(int(r["line"]), r["reasons"], r["name"]) for r in read_report(report)] == [
        (6, "phone: is already registered", "重复者"),
        (9, "phone: must be an 11-digit mainland mobile number starting 13-19", "坏行"),
        (12, "phone: repeats line 2", "再来")]
    assert count(app, volunteers) == 1 + 7
    events = [e for e in outbox_events(app, REGISTERED) if e["data"]["volunteer_id"] != existing["id"]]
    assert len(events) == 7
    with db.read() as s:
        names = dict(s.execute(select(volunteers.c.id, volunteers.c.name)).all())
    assert sorted(names[e["data"]["volunteer_id"]] for e in events) == sorted(
        [f"志愿者{i}" for i in range(8) if i not in (4, 7)] + ["志愿者 8"])
    assert all(e["id"] == e["trace_id"] and e["producer"] == "registry" for e in events)
