"""Rules for a person's identity data: resident ID numbers, mobile numbers, names, region codes.

Plain functions; each normaliser returns the canonical value or raises InvalidValue with a message
fit to show next to the field.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date
from operator import mul


class InvalidValue(ValueError):
    """The value breaks a rule; the message says which."""


# GB 11643-1999: weights of the first 17 digits; the remainder mod 11 indexes the check character.
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
ID_LENGTH = 18
_ZERO_WEIGHT = ord("0") * sum(ID_WEIGHTS)
EARLIEST_BIRTH_YEAR = 1900

# ASCII digits only: \d would also take full-width ０-９.
MOBILE_PATTERN = re.compile(r"1[3-9][0-9]{9}")
REGION_CODE_PATTERN = re.compile(r"[0-9]{6,12}")
NAME_MIN, NAME_MAX = 2, 30


def id_check_char(first17: str) -> str:
    """The check character for the first 17 digits of a resident ID number."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise InvalidValue("the first 17 characters must be digits")
    # over the ASCII codes, less what the "0"s add: no int() per digit (the bulk import's hot path)
    return ID_CHECK_CHARS[(sum(map(mul, first17.encode(), ID_WEIGHTS)) - _ZERO_WEIGHT) % 11]


def normalise_id_number(raw: str, today: date) -> str:
    """An 18-character resident ID number with a valid birth date and check character.

    A lowercase x is accepted and stored as X.
    """
    value = raw.strip().upper()
    if len(value) != ID_LENGTH:
        raise InvalidValue("must be 18 characters")
    body, check = value[:17], value[17]
    if not (body.isascii() and body.isdigit()):
        raise InvalidValue("the first 17 characters must be digits")
    if not (check.isdigit() or check == "X"):
        raise InvalidValue("the last character must be a digit or X")
    birth = birth_date_of(value)
    if birth.year < EARLIEST_BIRTH_YEAR:
        raise InvalidValue(f"birth date before {EARLIEST_BIRTH_YEAR}")
    if birth > today:
        raise InvalidValue("birth date is in the future")
    if id_check_char(body) != check:
        raise InvalidValue("check digit does not match")
    return value


def birth_date_of(id_number: str) -> date:
    """The birth date encoded at positions 7-14 (YYYYMMDD)."""
    digits = id_number[6:14]
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError as exc:
        raise InvalidValue("birth date (positions 7-14) is not a real date") from exc


def normalise_mobile(raw: str) -> str:
    value = raw.strip()
    if not MOBILE_PATTERN.fullmatch(value):
        raise InvalidValue("must be an 11-digit mainland mobile number starting 13-19")
    return value


def normalise_name(raw: str) -> str:
    """A display name: trimmed, inner runs of whitespace collapsed, 2..30 characters, printable."""
    value = " ".join(raw.split())
    # isprintable() is False for every category-C character (and for spaces other than " ", which the
    # join has removed): the exact check runs only for names that have something unusual
    if not value.isprintable() and any(unicodedata.category(ch).startswith("C") for ch in value):
        raise InvalidValue("must not contain control characters")
    if not NAME_MIN <= len(value) <= NAME_MAX:
        raise InvalidValue(f"must be {NAME_MIN} to {NAME_MAX} characters")
    return value


def normalise_region_code(raw: str) -> str:
    value = raw.strip()
    if not REGION_CODE_PATTERN.fullmatch(value):
        raise InvalidValue("must be 6 to 12 digits")
    return value


def mask_id_number(id_number: str) -> str:
    """First 6 (the region) and last 4 characters; the birth date and sequence hidden."""
    return id_number[:6] + "*" * 8 + id_number[-4:]


def mask_phone(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:]


def mask_name(name: str) -> str:
    """张* for two characters; first and last kept for longer names (欧**明)."""
    if len(name) <= 1:
        return "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]
