from datetime import date

from shanxing_registry.domain.bulk_import import format_reasons, missing_columns, validate_row

TODAY = date(2030, 6, 5)
VALID = {"name": " 李  四 ", "id_number": "11010519900307021x", "phone": "13800138000", "region_code": "110105",
         "skills": "first_aid| driving |first_aid", "preferences": ""}


def test_a_valid_row_is_normalised():
    row, errors = validate_row(7, VALID, TODAY)
    assert errors == {}
    assert (row.line, row.name, row.id_number, row.skills, row.preferences) == (
        7, "李 四", "11010519900307021X", ["first_aid", "driving"], [])


def test_every_broken_rule_is_named():
    row, errors = validate_row(3, {**VALID, "phone": "123", "id_number": "110105199003070021",
                                   "region_code": "11", "skills": "a||b"}, TODAY)
    assert row is None
    assert set(errors) == {"phone", "id_number", "region_code", "skills"}
    assert errors["id_number"] == "check digit does not match"
    assert format_reasons({"phone": "x", "name": "y"}) == "phone: x; name: y"


def test_missing_values_and_columns():
    _, errors = validate_row(2, {"name": "张三"}, TODAY)
    assert set(errors) == {"id_number", "phone", "region_code"}
    assert validate_row(2, {**VALID, "skills": None, "preferences": None}, TODAY)[1] == {}
    assert missing_columns(["name", " phone"]) == ["id_number", "region_code"]


def test_too_many_items_and_future_births_are_refused():
    _, errors = validate_row(2, {**VALID, "skills": "|".join(f"s{i}" for i in range(21)),
                                 "id_number": "110105203101010019"}, TODAY)
    assert errors["skills"] == "at most 20 items"
    assert "id_number" in errors
