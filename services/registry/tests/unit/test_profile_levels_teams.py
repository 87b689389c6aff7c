import pytest

from shanxing_registry.domain.commendations import may_commend
from shanxing_registry.domain.hours import star_change
from shanxing_registry.domain.identity import InvalidValue
from shanxing_registry.domain.organizations import (child_level, level_problem, may_oversee, top_level)
from shanxing_registry.domain.profile import (MAX_WINDOWS, Window, normalise_availability, normalise_tags,
                                              parse_time, window_problem)
from shanxing_registry.domain.teams import leave_problem, team_parent_problem
from shanxing_registry.domain.transfers import transfer_problem


@pytest.mark.parametrize("raw", ["00:00", "09:30", "23:59", "24:00", " 08:00 "])
def test_times_of_day(raw):
    assert parse_time(raw) == raw.strip()


@pytest.mark.parametrize("raw", ["9:30", "24:01", "25:00", "12:60", "noon", "", 930])
def test_bad_times_of_day(raw):
    with pytest.raises(InvalidValue):
        parse_time(raw)


def test_windows():
    assert window_problem(1, "09:00", "11:00") is None
    assert window_problem(7, "20:00", "24:00") is None
    assert "weekday" in window_problem(0, "09:00", "11:00")
    assert "weekday" in window_problem(8, "09:00", "11:00")
    assert "before" in window_problem(3, "11:00", "11:00")
    assert "before" in window_problem(3, "12:00", "11:00")
    assert "before" in window_problem(3, "24:00", "24:00")


def test_availability_is_sorted_deduplicated_and_capped():
    windows = [Window(3, "14:00", "16:00"), Window(1, "09:00", "10:00"), Window(3, "14:00", "16:00")]
    assert normalise_availability(windows) == [Window(1, "09:00", "10:00"), Window(3, "14:00", "16:00")]
    many = [Window(day, f"{hour:02d}:00", f"{hour + 1:02d}:00") for day in range(1, 8) for hour in range(4)]
    with pytest.raises(InvalidValue):
        normalise_availability(many)
    assert len(normalise_availability(many[:MAX_WINDOWS])) == MAX_WINDOWS


def test_tags():
    assert normalise_tags(["student", "party_member", "student"]) == ["student", "party_member"]
    with pytest.raises(InvalidValue):
        normalise_tags(["student", "vip"])


def test_levels_of_the_two_trees():
    assert top_level("regional") == "city" and top_level("specialised") == "corps"
    assert child_level("regional", "street") == "community"
    assert child_level("specialised", "squad") == "team"
    assert child_level("regional", "community") is None


@pytest.mark.parametrize("kind, requested, parent_level, has_parent, expected", [
    ("regional", None, None, False, (None, "city")),
    ("regional", "city", None, False, (None, "city")),
    ("regional", None, "city", True, (None, "district")),
    ("regional", "street", "district", True, (None, "street")),
    ("specialised", None, "detachment", True, (None, "squad")),
])
def test_level_fits(kind, requested, parent_level, has_parent, expected):
    assert level_problem(kind, requested, parent_level, has_parent) == expected


@pytest.mark.parametrize("kind, requested, parent_level, has_parent, field", [
    ("regional", "district", None, False, "level"),       # a root is at the top
    ("regional", "street", "city", True, "level"),        # skips a level
    ("regional", "squad", "city", True, "level"),         # level of the other tree
    ("regional", None, "community", True, "parent_id"),   # below the bottom
    ("specialised", "team", "team", True, "parent_id"),
])
def test_level_does_not_fit(kind, requested, parent_level, has_parent, field):
    assert level_problem(kind, requested, parent_level, has_parent)[0] == field


def test_overseeing_and_commending():
    assert may_oversee(is_ops=True, is_ancestor_admin=False)
    assert may_oversee(is_ops=False, is_ancestor_admin=True)
    assert not may_oversee(is_ops=False, is_ancestor_admin=False)
    assert may_commend(is_ops=False, administers_an_organization=True)
    assert not may_commend(is_ops=False, administers_an_organization=False)


def test_team_parents():
    good = dict(status="approved", kind="regional", level="community", expected_kind="regional",
                allowed_levels=("street", "community"))
    assert team_parent_problem(**good) is None
    assert "no such" in team_parent_problem(**{**good, "status": None, "kind": None, "level": None})
    assert "pending" in team_parent_problem(**{**good, "status": "pending"})
    assert "regional" in team_parent_problem(**{**good, "kind": "specialised"})
    assert "district" in team_parent_problem(**{**good, "level": "district"})


def test_the_last_admin_stays_while_others_remain():
    assert leave_problem(role="admin", active_admins=1, members=3)
    assert leave_problem(role="admin", active_admins=1, members=1) is None
    assert leave_problem(role="admin", active_admins=2, members=3) is None
    assert leave_problem(role="member", active_admins=1, members=3) is None


def test_star_changes_up_and_down():
    thresholds = (100, 300)
    assert star_change(0, 9999, thresholds) is None
    assert star_change(0, 10000, thresholds) == 1
    assert star_change(1, 30000, thresholds) == 2
    assert star_change(2, 29999, thresholds) == 1
    assert star_change(1, 0, thresholds) == 0


def test_transfers():
    assert transfer_problem("110105", "110108") is None
    assert "already" in transfer_problem("110105", "110105")


def test_team_star_thresholds_from_the_environment(monkeypatch):
    from shanxing_common.config import ConfigError
    from shanxing_registry.config import team_star_thresholds_hours

    monkeypatch.delenv("SHANXING_TEAM_STAR_THRESHOLDS_HOURS", raising=False)
    assert team_star_thresholds_hours() == (1000, 3000, 6000, 10000, 15000)
    monkeypatch.setenv("SHANXING_TEAM_STAR_THRESHOLDS_HOURS", "10, 20")
    assert team_star_thresholds_hours() == (10, 20)
    for bad in ("20,10", "0,5", "ten", "5,5"):
        monkeypatch.setenv("SHANXING_TEAM_STAR_THRESHOLDS_HOURS", bad)
        with pytest.raises(ConfigError):
            team_star_thresholds_hours()


def test_verification_codes():
    from shanxing_registry.domain.certificates import (CODE_LENGTH, code_matches, content_digest, grouped,
                                                       normalise_verification_code, verification_code)

    digest = content_digest({"total_hours": 1250, "display_name": "王*明"})
    code = verification_code("k" * 32, "cert-1", digest)
    assert len(code) == CODE_LENGTH and code == verification_code("k" * 32, "cert-1", digest)
    assert code_matches("k" * 32, "cert-1", digest, code)
    assert not code_matches("k" * 32, "cert-1", content_digest({"total_hours": 9250, "display_name": "王*明"}), code)
    assert not code_matches("k" * 32, "cert-2", digest, code)
    assert not code_matches("other-key" * 4, "cert-1", digest, code)
    assert normalise_verification_code(grouped(code).lower()) == code
    assert normalise_verification_code(code[:-1]) is None
    assert normalise_verification_code("0" * CODE_LENGTH) is None  # 0 is not in the alphabet
    assert grouped("ABCDEFGHJKMNPQRS") == "ABCD-EFGH-JKMN-PQRS"
