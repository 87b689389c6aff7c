"""Check-in and check-out on site: a rotating code (TOTP-like) and the distance from the activity."""
from __future__ import annotations

import hashlib
import hmac
import math
from datetime import datetime, timedelta, timezone
from urllib.parse import urlencode

from .hours import SECONDS_PER_HUNDREDTH, max_hundredths

STEP_SECONDS = 30
CODE_DIGITS = 6
DEFAULT_RADIUS_METERS = 500
EARTH_RADIUS_METERS = 6_371_000
# Volunteers arrive early; organizers close late.
CHECKIN_OPENS_BEFORE_START = timedelta(hours=1)
CHECKOUT_CLOSES_AFTER_END = timedelta(hours=2)
QUARTER_HOUR = 25  # hundredths
CHECKIN_URI_PREFIX = "shanxing:checkin"


def time_step(moment: datetime) -> int:
    return int(moment.timestamp()) // STEP_SECONDS


def code_for(secret: str, activity_id: str, step: int) -> str:
    """HMAC-SHA256 over (activity id, step) with the activity's secret, truncated as in RFC 4226."""
    digest = hmac.new(secret.encode(), f"{activity_id}:{step}".encode(), hashlib.sha256).digest()
    offset = digest[-1] & 0x0F
    number = int.from_bytes(digest[offset:offset + 4], "big") & 0x7FFFFFFF
    return str(number % 10 ** CODE_DIGITS).zfill(CODE_DIGITS)


def current_code(secret: str, activity_id: str, moment: datetime) -> tuple[str, datetime]:
    """The code to show now, and until when it is accepted (its own step and the next one)."""
    step = time_step(moment)
    valid_until = datetime.fromtimestamp((step + 2) * STEP_SECONDS, tz=timezone.utc)
    return code_for(secret, activity_id, step), valid_until


def checkin_payload(activity_id: str, code: str) -> str:
    """What the check-in QR carries: a volunteer's app scans it and posts `code` to the activity's
    /checkin with its own position."""
    return f"{CHECKIN_URI_PREFIX}?{urlencode({'activity': activity_id, 'code': code})}"


def code_is_valid(secret: str, activity_id: str, code: str, moment: datetime) -> bool:
    """The current step's code or the previous one's (a code read just before it rotated)."""
    step = time_step(moment)
    return any(hmac.compare_digest(code_for(secret, activity_id, s), code) for s in (step, step - 1))


def distance_meters(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi, d_lambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_METERS * math.asin(min(1.0, math.sqrt(a)))


def suggested_hundredths(checked_in_at: datetime | None, checked_out_at: datetime | None,
                         activity_length: timedelta) -> int | None:
    """Checkout − checkin rounded to the nearest quarter hour (halves up), capped by the activity's length."""
    if checked_in_at is None or checked_out_at is None:
        return None
    seconds = max(0, int((checked_out_at - checked_in_at).total_seconds()))
    quarter_seconds = QUARTER_HOUR * SECONDS_PER_HUNDREDTH
    quarters = (seconds + quarter_seconds // 2) // quarter_seconds
    return min(quarters * QUARTER_HOUR, max_hundredths(activity_length))


def checkin_refusal(moment: datetime, starts_at: datetime, ends_at: datetime) -> str | None:
    if moment < starts_at - CHECKIN_OPENS_BEFORE_START:
        return "check-in opens an hour before the activity starts"
    if moment >= ends_at:
        return "the activity has already ended"
    return None


def checkout_refusal(moment: datetime, ends_at: datetime) -> str | None:
    if moment >= ends_at + CHECKOUT_CLOSES_AFTER_END:
        return "check-out closed two hours after the activity ended"
    return None
