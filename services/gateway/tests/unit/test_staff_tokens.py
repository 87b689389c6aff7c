import jwt
import pytest

from shanxing_gateway.auth.people import InvalidToken, PeopleTokens
from shanxing_gateway.auth.staff import StaffTokens

SECRET = "unit-jwt-secret-0123456789abcdef0123456789"


def _issue(tokens, now=1_000_000, **overrides):
    values = dict(staff_id="s-1", merchant_id="m-1", store_id="st-1", staff_role="cashier", now=now) | overrides
    return tokens.issue(**values).access_token


def test_a_staff_token_is_the_merchant_with_the_staff_id_and_role():
    tokens = StaffTokens(SECRET, 900)
    identity = tokens.verify(_issue(tokens, now=None))
    assert (identity.kind, identity.subject, identity.roles, identity.merchant_id) == (
        "merchant", "staff:s-1", ("merchant_staff", "cashier"), "m-1")
    assert tokens.ttl_seconds == 900


def test_the_credentials_version_rides_in_the_token():
    tokens = StaffTokens(SECRET, 900)
    assert tokens.verify(_issue(tokens, now=None)).credentials_version == 0
    assert tokens.verify(_issue(tokens, now=None, credentials_version=4)).credentials_version == 4
    # a token without one (issued before versions existed) is version 0; a malformed one is refused
    claims = {"sub": "s-1", "role": "merchant_staff", "staff_role": "cashier", "merchant_id": "m-1",
              "iat": 1, "exp": 4_000_000_000, "iss": "shanxing", "aud": "shanxing-merchant-staff"}
    key = tokens._key
    assert tokens.verify(jwt.encode(claims, key, algorithm="HS256")).credentials_version == 0
    with pytest.raises(InvalidToken):
        tokens.verify(jwt.encode(claims | {"cv": "1"}, key, algorithm="HS256"))


def test_it_expires():
    tokens = StaffTokens(SECRET, 900)
    token = _issue(tokens, now=1_000_000)
    assert tokens.verify(token, now=1_000_899).subject == "staff:s-1"
    with pytest.raises(InvalidToken):
        tokens.verify(token, now=1_000_900)


def test_staff_and_people_tokens_never_pass_for_each_other():
    staff, people = StaffTokens(SECRET, 900), PeopleTokens(SECRET, 3600)
    with pytest.raises(InvalidToken):
        people.verify(_issue(staff, now=None))
    with pytest.raises(InvalidToken):
        staff.verify(people.issue("vol-1", ["ops"]).access_token)
    # not even a person token that copies the staff claims, signed with the JWT secret itself
    forged = jwt.encode({"sub": "s-1", "role": "merchant_staff", "staff_role": "manager", "merchant_id": "m-1",
                         "iat": 1, "exp": 4_000_000_000, "iss": "shanxing", "aud": "shanxing-merchant-staff"},
                        SECRET, algorithm="HS256")
    with pytest.raises(InvalidToken):
        staff.verify(forged)
    assert not staff.is_staff_token(forged) and staff.is_staff_token(_issue(staff, now=None))


def test_another_secret_or_missing_claims_are_refused():
    with pytest.raises(InvalidToken):
        StaffTokens("another-secret-0123456789abcdef", 900).verify(_issue(StaffTokens(SECRET, 900), now=None))
    tokens = StaffTokens(SECRET, 900)
    with pytest.raises(InvalidToken):
        tokens.verify(_issue(tokens, now=None, staff_role=""))
