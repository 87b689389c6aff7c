from datetime import datetime, time, timezone
from zoneinfo import ZoneInfo

from shanxing_activities.domain.recommendation import (Candidate, Profile, Window, bounding_box,
                                                       format_distance, parse_availability, parse_home, rank)

ZONE = ZoneInfo("Asia/Shanghai")


def test_availability_keeps_only_valid_windows():
    assert parse_availability([{"weekday": 6, "start": "09:00", "end": "12:00"},
                               {"weekday": 0, "start": "09:00", "end": "12:00"},
                               {"weekday": 2, "start": "12:00", "end": "09:00"}, "junk", {}]) == (
        Window(6, time(9), time(12)),)
    assert parse_availability(None) == ()


def test_home_and_distance_formats():
    assert parse_home({"latitude": 39.9, "longitude": 116.4}) == (39.9, 116.4)
    assert parse_home({"latitude": 99, "longitude": 0}) is None and parse_home(None) is None
    assert (format_distance(804), format_distance(2345)) == ("800 米", "2.3 公里")
    min_lat, max_lat, min_lon, max_lon = bounding_box((39.9, 116.4), 1113.2)
    assert round(max_lat - 39.9, 4) == 0.01 and max_lon - 116.4 > 0.01


def test_nearby_beats_far_and_missing_skills_are_left_out():
    profile = Profile(frozenset({"first_aid"}), frozenset(), (), (39.9, 116.4))
    start = datetime(2030, 6, 8, 1, tzinfo=timezone.utc)
    end = datetime(2030, 6, 8, 3, tzinfo=timezone.utc)
    near = Candidate("near", "x", (), start, end, 39.905, 116.4)
    far = Candidate("far", "x", (), start, end, 39.95, 116.4)
    skilled = Candidate("skilled", "x", ("Driving",), start, end, 39.9, 116.4)
    ranked = rank(profile, [far, skilled, near], ZONE, 1200)
    assert [c.activity_id for c, _, _ in ranked] == ["near", "far"]
    assert ranked[0][2] == "560 米"
