"""Use case: check a person's phone and password for the gateway, with per-account throttling."""
from __future__ import annotations

from shanxing_common.db import Database
from shanxing_common.problems import Problem

from shanxing_common import passwords
from ..adapters import repository as repo
from ..domain.identity import mask_name, mask_phone
from shanxing_common.login_throttle import FailureWindow
from ..runtime import Registry

INVALID_CREDENTIALS = "invalid phone or password"


def verify_credentials(db: Database, reg: Registry, phone: str, password: str) -> dict:
    """{subject, roles, display_name}; 401 for a wrong phone or password alike; 429 while the
    account is throttled (no password check then)."""
    policy = reg.config.throttle
    now = reg.now()
    with db.transaction() as s:
        account = repo.account_by_phone(s, phone, for_update=True)
        if account is not None:
            window = FailureWindow(account.failed_logins, repo.as_utc(account.failed_window_opened_at))
            wait = window.retry_after(policy, now)
            if wait is not None:
                raise Problem(429, f"too many failed attempts; try again in {wait} seconds",
                              headers={"Retry-After": str(wait)})
            # Counted as failed before the check, so parallel guesses cannot exceed the limit.
            counted = window.after_attempt(policy, now)
            repo.set_failure_window(s, account.id, counted.failures, counted.opened_at)
    if account is None or not account.password_set:  # unknown, or imported and not yet activated
        passwords.spend_dummy_verification(password)
        raise Problem(401, INVALID_CREDENTIALS, headers={"WWW-Authenticate": 'Bearer realm="shanxing"'})
    # The argon2 check runs outside the transaction: no lock is held for its ~50 ms.
    if not passwords.verify_password(account.password_hash, password):
        raise Problem(401, INVALID_CREDENTIALS, headers={"WWW-Authenticate": 'Bearer realm="shanxing"'})
    rehashed = passwords.hash_password(password) if passwords.needs_rehash(account.password_hash) else None
    with db.transaction() as s:
        repo.record_login_success(s, account.id, now, rehashed)
        name = repo.volunteer_name(s, account.id)
    return {"subject": account.id, "roles": list(account.roles),
            "display_name": mask_name(name) if name else mask_phone(account.phone)}
