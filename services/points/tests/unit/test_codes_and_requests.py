import pytest

from shanxing_points.adapters.secret_box import SecretBox
from shanxing_points.domain import codes, merchant_keys
from shanxing_points.domain.errors import InvalidInput
from shanxing_points.domain.redemption import request_hash, requested_items


def test_codes_are_twelve_digits_and_vary():
    drawn = {codes.new_code() for _ in range(50)}
    assert len(drawn) == 50
    assert all(codes.is_well_formed(code) for code in drawn)


@pytest.mark.parametrize("raw, ok", [("123456789012", True), ("1234 5678 9012", True),
                                     ("1234-5678-9012", True), ("12345678901", False),
                                     ("1234567890123", False), ("12345678901a", False), ("", False)])
def test_code_form(raw, ok):
    assert codes.is_well_formed(codes.normalise_code(raw)) is ok


def test_code_hash_is_sha256_hex_and_not_the_code():
    digest = codes.code_hash("123456789012")
    assert len(digest) == 64 and "123456789012" not in digest


def test_requested_items_are_sorted_and_refuse_duplicates():
    items = requested_items([{"sku": "b", "quantity": 1}, {"sku": "a", "quantity": 2}])
    assert [i.sku for i in items] == ["a", "b"]
    with pytest.raises(InvalidInput) as raised:
        requested_items([{"sku": "a", "quantity": 1}, {"sku": "a", "quantity": 2}])
    assert raised.value.field == "items"


def test_request_hash_ignores_item_order_but_not_content():
    one = request_hash("123456789012", requested_items([{"sku": "a", "quantity": 1}, {"sku": "b", "quantity": 2}]))
    same = request_hash("123456789012", requested_items([{"sku": "b", "quantity": 2}, {"sku": "a", "quantity": 1}]))
    other = request_hash("123456789012", requested_items([{"sku": "a", "quantity": 2}, {"sku": "b", "quantity": 2}]))
    assert one == same != other


def test_merchant_key_shapes():
    key_id = merchant_keys.new_key_id()
    assert key_id.startswith("mk_") and len(key_id) == 23
    int(key_id[3:], 16)
    assert len(merchant_keys.new_key_secret()) >= 43


def test_secret_box_round_trip_and_wrong_key():
    box = SecretBox("a-long-enough-master-secret")
    sealed = box.seal("s3cret")
    assert "s3cret" not in sealed and box.open(sealed) == "s3cret"
    with pytest.raises(RuntimeError):
        SecretBox("another-long-master-secret").open(sealed)
    with pytest.raises(ValueError):
        SecretBox("short")
