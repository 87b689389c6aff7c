from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

from shanxing_activities.domain.checkin import (checkin_payload, checkin_refusal, checkout_refusal, code_for,
                                                code_is_valid, current_code, distance_meters, suggested_hundredths, time_step)

T = datetime(2030, 6, 5, 2, 0, 0, tzinfo=timezone.utc)  # a multiple of 30 s


def test_codes_are_six_digits_per_activity_and_step():
    code = code_for("secret", "activity-1", 100)
    assert len(code) == 6 and code.isdigit() and code == code_for("secret", "activity-1", 100)
    others = {code_for("secret", "activity-2", 100), code_for("secret", "activity-1", 101),
              code_for("other", "activity-1", 100)}
    assert code not in others


def test_the_current_and_the_previous_code_are_accepted():
    code, valid_until = current_code("s", "a", T + timedelta(seconds=5))
    assert valid_until == T + timedelta(seconds=60)
    assert code_is_valid("s", "a", code, T + timedelta(seconds=5))
    assert code_is_valid("s", "a", code, T + timedelta(seconds=59))  # the previous step's code
    assert not code_is_valid("s", "a", code, T + timedelta(seconds=60))
    assert time_step(T) * 30 == int(T.timestamp())


def test_haversine_distance():
    assert distance_meters(39.92, 116.44, 39.92, 116.44) == 0
    one_degree_of_latitude = distance_meters(39.0, 116.0, 40.0, 116.0)
    assert 111_000 < one_degree_of_latitude < 111_400
    assert 400 < distance_meters(39.92, 116.44, 39.924, 116.44) < 500


def test_suggested_hours_round_to_a_quarter_and_stop_at_the_activitys_length():
    three_hours = timedelta(hours=3)
    assert suggested_hundredths(T, T + timedelta(hours=2, minutes=7), three_hours) == 200
    assert suggested_hundredths(T, T + timedelta(hours=2, minutes=7, seconds=30), three_hours) == 225
    assert suggested_hundredths(T, T + timedelta(hours=5), three_hours) == 300
    assert suggested_hundredths(T, T + timedelta(minutes=5), three_hours) == 0
    assert suggested_hundredths(T, None, three_hours) is None and suggested_hundredths(None, T, three_hours) is None


def test_check_in_and_out_windows():
    assert checkin_refusal(T - timedelta(minutes=59), T, T + timedelta(hours=1)) is None
    assert "opens" in checkin_refusal(T - timedelta(minutes=61), T, T + timedelta(hours=1))
    assert "ended" in checkin_refusal(T + timedelta(hours=1), T, T + timedelta(hours=1))
    assert checkout_refusal(T + timedelta(hours=1, minutes=59), T) is None
    assert checkout_refusal(T + timedelta(hours=2), T)


def test_the_qr_payload_names_the_activity_and_the_code_url_encoded():
    assert checkin_payload("a1b2", "012345") == "shanxing:checkin?activity=a1b2&code=012345"
    odd = checkin_payload("x&code=999999 y", "012345")
    assert parse_qs(urlsplit(odd).query) == {"activity": ["x&code=999999 y"], "code": ["012345"]}
