"""Use cases of merchant staff: accounts (merchant or ops), sign-in checks (the gateway), and
who is acting on a merchant route (a signing key or a staff member, and what they may do)."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from shanxing_common.db import Database

from shanxing_common import passwords

from ..adapters import repository, staff as staff_store
from ..adapters.sql import as_utc, utcnow
from ..domain import staff as policy
from ..domain.errors import Conflict, Forbidden, NotFound, PointsError
from shanxing_common.login_throttle import FailureWindow, ThrottlePolicy
from .merchants import _merchant_or_404, _page, _time_cursor

INVALID_CREDENTIALS = "invalid merchant, login or password"


class Unauthenticated(PointsError):
    status = 401


class Throttled(PointsError):
    status = 429

    def __init__(self, retry_after: int):
        super().__init__(f"too many failed attempts; try again in {retry_after} seconds")
        self.retry_after = retry_after


def create_staff(db: Database, merchant_id: str, *, store_id: str, login: str, password: str, role: str,
                 name: str | None = None) -> dict:
    login = policy.normalise_login(login)
    password_hash = passwords.hash_password(password)  # ~50 ms: outside the transaction
    staff = dict(id=str(uuid.uuid4()), merchant_id=merchant_id, store_id=store_id, login=login, name=name,
                 password_hash=password_hash, role=role, status=policy.ACTIVE, failed_logins=0,
                 created_at=utcnow())
    with db.transaction() as s:
        _merchant_or_404(s, merchant_id)
        if not repository.store_of_merchant(s, merchant_id, store_id):
            raise NotFound("this merchant has no such store", field="store_id")
        if not staff_store.insert_staff(s, staff):
            raise Conflict(f"this merchant already has staff with login {login}", field="login")
    return staff_view(staff)


def list_staff(db: Database, merchant_id: str, *, cursor: str | None, limit: int) -> dict:
    after = _time_cursor(cursor)
    with db.read() as s:
        _merchant_or_404(s, merchant_id)
        listing = _page(staff_store.list_staff(s, merchant_id, after=after, limit=limit + 1), limit)
    listing["items"] = [staff_view(row) for row in listing["items"]]
    return listing


def deactivate_staff(db: Database, merchant_id: str, staff_id: str) -> dict:
    """The account stops at once: its next request (its token still unexpired) is refused."""
    with db.transaction() as s:
        _merchant_or_404(s, merchant_id)
        updated = staff_store.deactivate(s, merchant_id, staff_id, utcnow())
        if updated is None:
            if staff_store.staff_of_merchant(s, merchant_id, staff_id) is None:
                raise NotFound("this merchant has no such staff member")
            raise Conflict("this staff member is already inactive", field="status")
    return staff_view(updated)


def update_staff(db: Database, merchant_id: str, staff_id: str, *, changes: dict) -> dict:
    """Reset the password, change the role, the name or the store of an active account. A new
    password ends every sign-in made with the old one at its next request; a role or store change
    applies at the next request too (the row is read on each)."""
    changes = dict(changes)
    password = changes.pop("password", None)
    password_hash = passwords.hash_password(password) if password is not None else None  # outside the lock
    with db.transaction() as s:
        _merchant_or_404(s, merchant_id)
        if "store_id" in changes and not repository.store_of_merchant(s, merchant_id, changes["store_id"]):
            raise NotFound("this merchant has no such store", field="store_id")
        updated = staff_store.update_staff(s, merchant_id, staff_id, changes, password_hash)
        if updated is None:
            if staff_store.staff_of_merchant(s, merchant_id, staff_id) is None:
                raise NotFound("this merchant has no such staff member")
            raise Conflict("an inactive staff account cannot be changed; create a new one", field="status")
    return staff_view(updated)


def verify_credentials(db: Database, throttle: ThrottlePolicy, *, merchant_id: str, login: str,
                       password: str, now: datetime | None = None) -> dict:
    """{staff_id, merchant_id, store_id, role, login, name} for the gateway's staff token. 401 alike
    for an unknown merchant or login, a wrong password, an inactive account or a suspended merchant;
    429 while the account is throttled (no password check then)."""
    now = now or utcnow()
    login = policy.normalise_login(login)
    with db.transaction() as s:
        account = staff_store.staff_for_login(s, merchant_id, login)
        if account is not None:
            window = FailureWindow(account["failed_logins"], as_utc(account["failed_window_opened_at"]))
            wait = window.retry_after(throttle, now)
            if wait is not None:
                raise Throttled(wait)
            # Counted as failed before the check, so parallel guesses cannot exceed the limit.
            counted = window.after_attempt(throttle, now)
            staff_store.set_failure_window(s, account["id"], counted.failures, counted.opened_at)
    if account is None:
        passwords.spend_dummy_verification(password)  # an unknown login costs what a known one does
        raise Unauthenticated(INVALID_CREDENTIALS)
    # The argon2 check runs outside the transaction: no lock is held for its ~50 ms.
    if not passwords.verify_password(account["password_hash"], password):
        raise Unauthenticated(INVALID_CREDENTIALS)
    rehashed = passwords.hash_password(password) if passwords.needs_rehash(account["password_hash"]) else None
    with db.transaction() as s:
        staff_store.record_login_success(s, account["id"], now, rehashed)
    if account["status"] != policy.ACTIVE or account["merchant_status"] != "active":
        raise Unauthenticated(INVALID_CREDENTIALS)  # a right password does not reveal the status
    return {"staff_id": account["id"], "merchant_id": account["merchant_id"], "store_id": account["store_id"],
            "role": account["role"], "login": account["login"], "name": account["name"],
            "credentials_version": account["credentials_version"]}


@dataclass(frozen=True)
class Actor:
    """Who is acting on a merchant route: ``made_by`` is what redemptions and refunds record."""
    merchant_id: str
    made_by: str
    staff_id: str | None = None
    role: str | None = None
    store_id: str | None = None


def actor_for(db: Database, merchant_id: str, subject: str | None, action: str,
              credentials_version: int | None = None) -> Actor:
    """A signing key may do everything on the merchant routes; a staff member what their role
    allows. The staff row is read on every request, so a deactivation, a password reset (the
    sign-in's ``credentials_version`` is then behind) or a role change (and a suspension of the
    merchant) applies at once, whatever token is still in flight."""
    staff_id = policy.staff_id_of(subject)
    if staff_id is None:
        return Actor(merchant_id=merchant_id, made_by=policy.made_by(subject))
    with db.read() as s:
        staff = staff_store.staff_for_request(s, staff_id)
    if staff is None or staff["merchant_id"] != merchant_id or staff["status"] != policy.ACTIVE:
        raise Unauthenticated("this staff account is not active; sign in again")
    if (credentials_version or 0) != staff["credentials_version"]:
        raise Unauthenticated("the password of this staff account was changed; sign in again")
    if staff["merchant_status"] != "active":
        raise Forbidden("this merchant is suspended")
    if not policy.may(staff["role"], action):
        raise Forbidden(f"a {staff['role']} may not do this")
    return Actor(merchant_id=merchant_id, made_by=policy.made_by(subject), staff_id=staff_id,
                 role=staff["role"], store_id=staff["store_id"])


def staff_view(row: dict) -> dict:
    return {"id": row["id"], "merchant_id": row["merchant_id"], "store_id": row["store_id"],
            "login": row["login"], "name": row.get("name"), "role": row["role"], "status": row["status"],
            "created_at": row["created_at"], "deactivated_at": row.get("deactivated_at"),
            "last_login_at": row.get("last_login_at")}
