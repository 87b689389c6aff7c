"""Use cases of the earning rules: read the version in force, publish a new one (ops)."""
from __future__ import annotations

from datetime import datetime, timedelta

from shanxing_common.db import Database

from ..adapters import earning_rules as rules_store
from ..adapters.sql import utcnow
from ..domain.earning_rules import EarningRules, default_rules, validated_rules
from ..domain.errors import Conflict, InvalidInput

# A version may take effect "now" as seen by a publisher whose clock is slightly behind.
CLOCK_SKEW = timedelta(seconds=60)
FIELDS = ("points_per_hour", "category_rates", "daily_cap_per_volunteer", "star_upgrade_bonus",
          "commendation_bonus", "organization_factors")


def current(db: Database, default_rate: int) -> dict:
    with db.read() as s:
        rules = rules_store.in_force(s, utcnow()) or default_rules(default_rate)
    return rules_view(rules)


def versions(db: Database, default_rate: int) -> dict:
    """Every published version, newest first, then version 0 (the deployment default)."""
    with db.read() as s:
        published = rules_store.all_versions(s)
    return {"items": [rules_view(r) for r in published + [default_rules(default_rate)]], "next": None}


def publish(db: Database, changes: dict, *, published_by: str | None, default_rate: int) -> dict:
    """A new version: the fields given replace the latest version's, the others carry over.

    ``effective_from`` defaults to now, may not lie in the past (credits already made stay as they
    were priced) and may not precede the latest version's."""
    now = utcnow()
    effective_from: datetime = changes.get("effective_from") or now
    if effective_from.tzinfo is not None and effective_from < now - CLOCK_SKEW:
        raise InvalidInput("must not be in the past", field="effective_from")
    with db.transaction() as s:
        latest = rules_store.latest(s) or default_rules(default_rate)
        if latest.effective_from is not None and effective_from.tzinfo is not None \
                and effective_from < latest.effective_from:
            raise InvalidInput(f"must not precede version {latest.version}'s "
                               f"{latest.effective_from.isoformat()}", field="effective_from")
        values = {name: changes[name] if name in changes else getattr(latest, name) for name in FIELDS}
        rules = validated_rules(latest.version + 1, effective_from=effective_from, **values)
        if not rules_store.insert_version(s, rules, published_by):
            raise Conflict("another version was published at the same moment; read and retry",
                           field="version")
    return rules_view(rules)


def rules_view(rules: EarningRules) -> dict:
    return {"version": rules.version, "points_per_hour": rules.points_per_hour,
            "category_rates": rules.category_rates,
            "daily_cap_per_volunteer": rules.daily_cap_per_volunteer,
            "star_upgrade_bonus": rules.star_upgrade_bonus,
            "commendation_bonus": rules.commendation_bonus,
            "organization_factors": {k: str(v) for k, v in rules.organization_factors.items()},
            "effective_from": rules.effective_from}
