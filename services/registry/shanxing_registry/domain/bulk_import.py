"""Rules for one row of a volunteer import file (the same rules as registration, minus the password)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .identity import (InvalidValue, normalise_id_number, normalise_mobile, normalise_name,
                       normalise_region_code)

REQUIRED_COLUMNS = ("name", "id_number", "phone", "region_code")
OPTIONAL_COLUMNS = ("skills", "preferences")
LIST_SEPARATOR = "|"
MAX_LIST_ITEMS, ITEM_MIN, ITEM_MAX = 20, 1, 30


@dataclass(frozen=True)
class ImportRow:
    line: int
    name: str
    id_number: str
    phone: str
    region_code: str
    skills: list[str]
    preferences: list[str]


def missing_columns(header: list[str]) -> list[str]:
    present = {column.strip() for column in header}
    return [column for column in REQUIRED_COLUMNS if column not in present]


def _tag_list(raw: str) -> list[str]:
    """``a|b|c`` → unique, trimmed items, order kept; empty text → []."""
    if not raw.strip():
        return []
    items = [item.strip() for item in raw.split(LIST_SEPARATOR)]
    for item in items:
        if not ITEM_MIN <= len(item) <= ITEM_MAX:
            raise InvalidValue(f"each item must be {ITEM_MIN} to {ITEM_MAX} characters")
    unique = list(dict.fromkeys(items))
    if len(unique) > MAX_LIST_ITEMS:
        raise InvalidValue(f"at most {MAX_LIST_ITEMS} items")
    return unique


_FIELDS = (("name", normalise_name), ("phone", normalise_mobile), ("region_code", normalise_region_code),
           ("skills", _tag_list), ("preferences", _tag_list))


def validate_row(line: int, raw: dict, today: date) -> tuple[ImportRow | None, dict[str, str]]:
    """The normalised row, or None and {field: reason} for every broken rule."""
    values: dict = {}
    errors: dict[str, str] = {}
    for name, normalise in _FIELDS:
        text = raw.get(name)
        if text is None:
            text = ""
        try:
            values[name] = normalise(text)
        except InvalidValue as exc:
            errors[name] = str(exc)
    try:
        values["id_number"] = normalise_id_number(raw.get("id_number") or "", today)
    except InvalidValue as exc:
        errors["id_number"] = str(exc)
    if errors:
        return None, errors
    return ImportRow(line=line, **values), {}


def format_reasons(errors: dict[str, str]) -> str:
    return "; ".join(f"{field}: {reason}" for field, reason in errors.items())
