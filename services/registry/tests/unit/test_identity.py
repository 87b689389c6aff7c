from datetime import date

import pytest

from shanxing_registry.domain.identity import (InvalidValue, birth_date_of, id_check_char, mask_id_number,
                                               mask_name, mask_phone, normalise_id_number,
                                               normalise_mobile, normalise_name, normalise_region_code)

TODAY = date(2026, 6, 1)


def reference_check_char(first17: str) -> str:
    """GB 11643 written out independently of the code under test."""
    weights = [2 ** (17 - i) % 11 for i in range(17)]  # 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2
    remainder = sum(int(d) * w for d, w in zip(first17, weights)) % 11
    return "10X98765432"[remainder]


def valid_id(region: str = "110105", birth: str = "19900307", sequence: str = "123") -> str:
    body = region + birth + sequence
    return body + reference_check_char(body)


@pytest.mark.parametrize("known", ["11010519491231002X", "110101199003074477", "440308199901011234"[:17]
                                   + reference_check_char("44030819990101123")])
def test_known_valid_numbers_pass(known):
    assert normalise_id_number(known, TODAY) == known


def test_weights_match_the_standard():
    assert [2 ** (17 - i) % 11 for i in range(17)] == [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


@pytest.mark.parametrize("sequence", [f"{n:03d}" for n in range(0, 1000, 37)])
def test_check_char_agrees_with_reference(sequence):
    body = "32010619851120" + sequence
    assert id_check_char(body) == reference_check_char(body)


def test_lowercase_x_is_accepted_and_normalised():
    assert normalise_id_number(" 11010519491231002x ", TODAY) == "11010519491231002X"


@pytest.mark.parametrize("raw, message", [
    ("11010519491231002", "18 characters"),
    ("11010519491231002XX", "18 characters"),
    ("1101051949123100AX", "first 17"),
    ("11010519491231002Y", "last character"),
    ("110105194912310021", "check digit"),
    ("110105194902300020"[:17] + reference_check_char("11010519490230002"), "not a real date"),
    ("110105189912310020"[:17] + reference_check_char("11010518991231002"), "before 1900"),
    (valid_id(birth="20260602"), "future"),
])
def test_invalid_numbers_say_why(raw, message):
    with pytest.raises(InvalidValue, match=message):
        normalise_id_number(raw, TODAY)


def test_birth_today_is_allowed_and_leap_day_is_real():
    assert normalise_id_number(valid_id(birth="20260601"), TODAY)
    assert birth_date_of(valid_id(birth="20000229")) == date(2000, 2, 29)
    with pytest.raises(InvalidValue):
        birth_date_of(valid_id(birth="19000229"))  # 1900 was not a leap year


def test_every_wrong_check_char_is_refused():
    good = valid_id()
    for char in "0123456789X":
        if char != good[-1]:
            with pytest.raises(InvalidValue, match="check digit"):
                normalise_id_number(good[:17] + char, TODAY)


@pytest.mark.parametrize("phone", ["13800138000", "19912345678", "16600000000"])
def test_mainland_mobiles_pass(phone):
    assert normalise_mobile(phone) == phone


@pytest.mark.parametrize("phone", ["12345678901", "1380013800", "138001380000", "23800138000", "1380013800a",
                                   "+8613800138000", "１３８００１３８０００", "1３8001380００"])
def test_other_phone_numbers_fail(phone):
    with pytest.raises(InvalidValue):
        normalise_mobile(phone)


def test_names_are_trimmed_and_bounded():
    assert normalise_name("  欧阳  明 ") == "欧阳 明"
    assert normalise_name("张三") == "张三"
    assert normalise_name("x" * 30) == "x" * 30
    for bad in ("张", "  张  ", "x" * 31, "张\x00三"):
        with pytest.raises(InvalidValue):
            normalise_name(bad)


def test_region_codes_are_6_to_12_digits():
    assert normalise_region_code("110105") == "110105"
    assert normalise_region_code("110105001001") == "110105001001"
    for bad in ("11010", "1101050010011", "11010a", "１１０１０５"):
        with pytest.raises(InvalidValue):
            normalise_region_code(bad)


def test_masks():
    assert mask_id_number("110105194912311234") == "110105********1234"
    assert mask_id_number("11010519491231002X") == "110105********002X"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_name("张三") == "张*"
    assert mask_name("王小明") == "王*明"
    assert mask_name("欧阳小明") == "欧**明"
    assert mask_name("Ann Lee") == "A*****e"
