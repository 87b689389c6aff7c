import pytest

from shanxing_registry.adapters.id_vault import IdNumberVault, UnknownKey
from shanxing_registry.domain.identity import InvalidValue
from shanxing_registry.domain.organizations import (may_add_admin, may_review,
                                                    normalise_organization_name, parent_problem)

KEY_A = "a" * 40
KEY_B = "b" * 40
HASH_KEY = "h" * 40


def test_parent_rules():
    assert parent_problem("approved", "regional", "regional") is None
    assert "no such" in parent_problem(None, None, "regional")
    assert "pending" in parent_problem("pending", "regional", "regional")
    assert "specialised" in parent_problem("approved", "specialised", "regional")


def test_reviewers_and_appointers():
    assert may_review(is_ops=True, is_parent_admin=False)
    assert may_review(is_ops=False, is_parent_admin=True)
    assert not may_review(is_ops=False, is_parent_admin=False)
    assert may_add_admin(is_ops=False, is_admin=True) and not may_add_admin(is_ops=False, is_admin=False)


def test_organization_names():
    assert normalise_organization_name("  朝阳区  志愿服务队 ") == "朝阳区 志愿服务队"
    for bad in ("朝", "x" * 61):
        with pytest.raises(InvalidValue):
            normalise_organization_name(bad)


def test_vault_round_trip_hides_the_number_and_uses_fresh_nonces():
    vault = IdNumberVault(KEY_A, HASH_KEY)
    first, second = vault.encrypt("11010519491231002X"), vault.encrypt("11010519491231002X")
    assert first != second and "11010519491231002X" not in first
    assert vault.decrypt(first) == vault.decrypt(second) == "11010519491231002X"


def test_fingerprints_are_keyed_and_stable():
    vault = IdNumberVault(KEY_A, HASH_KEY)
    assert vault.fingerprint("11010519491231002X") == vault.fingerprint("11010519491231002X")
    assert vault.fingerprint("11010519491231002X") != IdNumberVault(KEY_A, "k" * 40).fingerprint("11010519491231002X")
    assert len(vault.fingerprint("x")) == 64


def test_rotation_keeps_old_ciphertexts_readable():
    old_vault = IdNumberVault(KEY_A, HASH_KEY)
    token = old_vault.encrypt("11010519491231002X")
    rotated = IdNumberVault(KEY_B, HASH_KEY, old_encryption_secrets=[KEY_A])
    assert rotated.decrypt(token) == "11010519491231002X"
    assert rotated.needs_reencryption(token)
    assert not rotated.needs_reencryption(rotated.encrypt("11010519491231002X"))
    with pytest.raises(UnknownKey):
        IdNumberVault(KEY_B, HASH_KEY).decrypt(token)


def test_tampered_ciphertext_is_refused():
    from cryptography.exceptions import InvalidTag

    vault = IdNumberVault(KEY_A, HASH_KEY)
    token = vault.encrypt("11010519491231002X")
    fmt, kid, payload = token.split(".")
    flipped = payload[:-2] + ("A" if payload[-2] != "A" else "B") + payload[-1]
    with pytest.raises(InvalidTag):
        vault.decrypt(f"{fmt}.{kid}.{flipped}")
