import hashlib
import hmac

import pytest

from shanxing_gateway.auth.merchants import (MerchantAuthError, MerchantKey, sign, string_to_sign,
                                             verify_signed_request)

NOW = 1_800_000_000
KEY = MerchantKey(key_id="mk_test", merchant_id="merchant-1", secret="s3cret-" * 6, status="active")
BODY = b'{"code":"12345678","items":[{"sku":"RICE-5KG","quantity":1}]}'
TARGET = "/api/v1/merchant/redemptions?dry_run=0&lang=zh"


def headers(*, secret=KEY.secret, method="POST", target=TARGET, body=BODY, timestamp=NOW, nonce="n-1",
            key_id=KEY.key_id) -> dict:
    return {"X-Shanxing-Key": key_id, "X-Shanxing-Timestamp": str(timestamp), "X-Shanxing-Nonce": nonce,
            "X-Shanxing-Signature": sign(secret, method, target, str(timestamp), nonce, body)}


def verify(h, *, method="POST", target=TARGET, body=BODY, key=KEY, now=NOW):
    return verify_signed_request(method=method, path_with_query=target, headers=h, body=body, key=key, now=now)


def test_the_signature_is_hmac_sha256_over_the_documented_string():
    expected_message = "\n".join(["POST", TARGET, str(NOW), "n-1", hashlib.sha256(BODY).hexdigest()])
    assert string_to_sign("post", TARGET, str(NOW), "n-1", BODY) == expected_message
    expected = hmac.new(KEY.secret.encode(), expected_message.encode(), hashlib.sha256).hexdigest()
    assert sign(KEY.secret, "POST", TARGET, str(NOW), "n-1", BODY) == expected


def test_a_well_signed_request_passes():
    parts = verify(headers())
    assert (parts.key_id, parts.nonce, parts.timestamp) == (KEY.key_id, "n-1", str(NOW))


def test_the_signature_may_be_upper_case_hex():
    h = headers()
    h["X-Shanxing-Signature"] = h["X-Shanxing-Signature"].upper()
    verify(h)


def test_an_empty_body_signs_the_hash_of_nothing():
    verify(headers(method="GET", target="/api/v1/merchant/goods", body=b""), method="GET",
           target="/api/v1/merchant/goods", body=b"")


@pytest.mark.parametrize("tamper", [
    dict(secret="another-secret"),
    dict(body=BODY.replace(b"1}", b"9}")),
    dict(target="/api/v1/merchant/redemptions?dry_run=1&lang=zh"),
    dict(target="/api/v1/merchant/redemptions"),
    dict(target="/api/v1/merchant/goods?dry_run=0&lang=zh"),
    dict(method="PUT"),
    dict(nonce="n-2"),
])
def test_a_signature_over_anything_else_fails(tamper):
    signed_headers = headers(**tamper)
    if "nonce" in tamper:  # signed with another nonce than the one sent
        signed_headers["X-Shanxing-Nonce"] = "n-1"
    with pytest.raises(MerchantAuthError) as failure:
        verify(signed_headers)
    assert failure.value.header == "X-Shanxing-Signature"


@pytest.mark.parametrize("skew", [-301, 301, -10_000, 10_000])
def test_timestamps_more_than_300_seconds_away_fail(skew):
    with pytest.raises(MerchantAuthError) as failure:
        verify(headers(timestamp=NOW + skew))
    assert failure.value.header == "X-Shanxing-Timestamp"


@pytest.mark.parametrize("skew", [-300, 300, 0])
def test_timestamps_within_300_seconds_pass(skew):
    verify(headers(timestamp=NOW + skew))


@pytest.mark.parametrize("timestamp", ["1.8e9", "-5", "soon", "1800000000.5"])
def test_a_timestamp_must_be_unix_seconds(timestamp):
    h = headers()
    h["X-Shanxing-Timestamp"] = timestamp
    with pytest.raises(MerchantAuthError, match="unix seconds"):
        verify(h)


@pytest.mark.parametrize("missing", ["X-Shanxing-Key", "X-Shanxing-Timestamp", "X-Shanxing-Nonce",
                                     "X-Shanxing-Signature"])
def test_each_missing_header_is_named(missing):
    h = headers()
    del h[missing]
    with pytest.raises(MerchantAuthError) as failure:
        verify(h)
    assert failure.value.header == missing
    assert missing in failure.value.detail


def test_a_blank_header_counts_as_missing():
    h = headers()
    h["X-Shanxing-Nonce"] = "  "
    with pytest.raises(MerchantAuthError, match="missing header X-Shanxing-Nonce"):
        verify(h)


def test_nonces_are_at_most_128_characters():
    verify(headers(nonce="n" * 128))
    with pytest.raises(MerchantAuthError) as failure:
        verify(headers(nonce="n" * 129))
    assert failure.value.header == "X-Shanxing-Nonce"


def test_an_unknown_key_fails():
    with pytest.raises(MerchantAuthError, match="unknown merchant key"):
        verify(headers(), key=None)


def test_a_key_other_than_the_one_named_fails():
    other = MerchantKey(key_id="mk_other", merchant_id="m2", secret=KEY.secret, status="active")
    with pytest.raises(MerchantAuthError, match="unknown merchant key"):
        verify(headers(), key=other)


def test_a_revoked_key_fails_even_with_a_good_signature():
    revoked = MerchantKey(key_id=KEY.key_id, merchant_id=KEY.merchant_id, secret=KEY.secret, status="revoked")
    with pytest.raises(MerchantAuthError, match="not active"):
        verify(headers(), key=revoked)
