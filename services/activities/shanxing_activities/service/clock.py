"""The time and calendar the use cases work with (see shanxing_activities.create_app)."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from shanxing_common.web import ServiceContext


def now(ctx: ServiceContext) -> datetime:
    return ctx.extra["clock"].now()


def local_zone(ctx: ServiceContext) -> ZoneInfo:
    return ctx.extra["timezone"]


def review_due_hours(ctx: ServiceContext) -> int:
    return ctx.extra["review_due_hours"]


def checkin_radius_meters(ctx: ServiceContext) -> int:
    return ctx.extra["checkin_radius_meters"]


def nearby_meters(ctx: ServiceContext) -> int:
    return ctx.extra["nearby_meters"]
