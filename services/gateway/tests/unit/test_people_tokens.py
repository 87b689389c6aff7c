import time

import jwt
import pytest

from shanxing_gateway.auth.people import InvalidToken, PeopleTokens, bearer_token

SECRET = "unit-test-jwt-secret-0123456789abcdef"


def test_an_issued_token_carries_the_documented_claims():
    tokens = PeopleTokens(SECRET, ttl_seconds=3600)
    issued = tokens.issue("vol-1", ["volunteer", "ops"], now=1_700_000_000)
    assert issued.token_type == "Bearer" and issued.expires_in == 3600
    claims = jwt.decode(issued.access_token, SECRET, algorithms=["HS256"], options={"verify_exp": False})
    assert claims == {"sub": "vol-1", "roles": ["volunteer", "ops"], "iat": 1_700_000_000,
                      "exp": 1_700_003_600, "iss": "shanxing"}
    assert jwt.get_unverified_header(issued.access_token)["alg"] == "HS256"


def test_a_token_verifies_to_the_person():
    tokens = PeopleTokens(SECRET, ttl_seconds=60)
    identity = tokens.verify(tokens.issue("vol-1", ["ops"]).access_token)
    assert (identity.kind, identity.subject, identity.roles) == ("person", "vol-1", ("ops",))


def test_a_token_expires_after_its_ttl():
    tokens = PeopleTokens(SECRET, ttl_seconds=60)
    token = tokens.issue("vol-1", [], now=1_700_000_000).access_token
    assert tokens.verify(token, now=1_700_000_059).subject == "vol-1"
    with pytest.raises(InvalidToken, match="expired"):
        tokens.verify(token, now=1_700_000_060)


def test_an_expired_token_fails_against_the_real_clock():
    tokens = PeopleTokens(SECRET, ttl_seconds=60)
    token = tokens.issue("vol-1", [], now=time.time() - 61).access_token
    with pytest.raises(InvalidToken):
        tokens.verify(token)


@pytest.mark.parametrize("token", [
    jwt.encode({"sub": "vol-1", "roles": [], "iat": 1, "exp": 4_000_000_000, "iss": "shanxing"},
               "another-secret-0123456789abcdef0123456789", algorithm="HS256"),
    jwt.encode({"sub": "vol-1", "roles": [], "iat": 1, "exp": 4_000_000_000, "iss": "elsewhere"},
               SECRET, algorithm="HS256"),
    jwt.encode({"roles": ["ops"], "iat": 1, "exp": 4_000_000_000, "iss": "shanxing"}, SECRET, algorithm="HS256"),
    jwt.encode({"sub": "vol-1", "roles": [], "iat": 1, "iss": "shanxing"}, SECRET, algorithm="HS256"),
    jwt.encode({"sub": "vol-1", "roles": ["ops"], "iat": 1, "exp": 4_000_000_000, "iss": "shanxing"},
               None, algorithm="none"),
    # an internal token (it has an audience) is never a person's token
    jwt.encode({"sub": "vol-1", "roles": ["ops"], "iat": 1, "exp": 4_000_000_000, "iss": "shanxing",
                "aud": "shanxing-internal"}, SECRET, algorithm="HS256"),
    "not-a-jwt",
])
def test_forged_foreign_or_incomplete_tokens_are_rejected(token):
    with pytest.raises(InvalidToken):
        PeopleTokens(SECRET, ttl_seconds=60).verify(token)


@pytest.mark.parametrize("header, expected", [
    (None, None), ("Bearer abc.def.ghi", "abc.def.ghi"), ("bearer  abc ", "abc"),
    ("Basic dXNlcjpwYXNz", ""), ("Bearer", ""), ("", ""),
])
def test_bearer_header_parsing(header, expected):
    assert bearer_token(header) == expected


def test_a_verified_token_is_remembered_until_it_expires(monkeypatch):
    from types import SimpleNamespace

    from shanxing_gateway.auth import people

    tokens = PeopleTokens(SECRET, ttl_seconds=60)
    token = tokens.issue("vol-1", ["volunteer"]).access_token
    decoded = []
    real_decode = people.jwt.decode
    monkeypatch.setattr(people, "jwt", SimpleNamespace(
        decode=lambda *a, **k: decoded.append(1) or real_decode(*a, **k),
        encode=people.jwt.encode, PyJWTError=people.jwt.PyJWTError))
    assert tokens.verify(token).subject == "vol-1"
    assert tokens.verify(token).subject == "vol-1"
    assert len(decoded) == 1

    later = time.time() + 61  # past exp: the cache no longer answers, the token is checked again
    monkeypatch.setattr(people, "time", SimpleNamespace(time=lambda: later))
    tokens.verify(token)
    assert len(decoded) == 2


def test_a_refused_token_is_not_remembered():
    tokens = PeopleTokens(SECRET, ttl_seconds=60)
    forged = PeopleTokens("another-secret-0123456789abcdef0123", 60).issue("vol-1", []).access_token
    for _ in range(2):
        with pytest.raises(InvalidToken):
            tokens.verify(forged)
