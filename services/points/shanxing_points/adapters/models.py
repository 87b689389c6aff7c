"""SQLAlchemy tables of the points service (its own database only)."""
from __future__ import annotations

from sqlalchemy import (BigInteger, Boolean, CheckConstraint, Column, Date, DateTime, ForeignKey, Index, Integer,
                        String, Table, Text, UniqueConstraint)

from shanxing_common.db import service_metadata

metadata = service_metadata()

# --- the ledger -------------------------------------------------------------------------------

accounts = Table(
    "accounts", metadata,
    Column("id", String(36), primary_key=True),
    Column("kind", String(16), nullable=False),  # volunteer | merchant | issuance
    Column("owner_id", String(64), nullable=False),
    Column("display_name", String(100), nullable=True),
    # occurred_at of the registry event the name came from: an older event never overwrites it.
    Column("display_name_as_of", DateTime(timezone=True), nullable=True),
    Column("balance", BigInteger, nullable=False, default=0),
    Column("earned", BigInteger, nullable=False, default=0),
    Column("redeemed", BigInteger, nullable=False, default=0),
    # Points revoked after they were spent; settled from future earnings (README "Debt").
    Column("debt", BigInteger, nullable=False, default=0),
    # Points that expired unspent (only with SHANXING_POINTS_EXPIRY_DAYS; README "Expiry").
    Column("expired", BigInteger, nullable=False, default=0, server_default="0"),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("kind", "owner_id", name="uq_accounts_kind_owner"),
    CheckConstraint("kind IN ('volunteer', 'merchant', 'issuance')", name="kind"),
    CheckConstraint("kind <> 'volunteer' OR balance >= 0", name="volunteer_balance_not_negative"),
    CheckConstraint("debt >= 0", name="debt_not_negative"),
)

transfers = Table(
    "transfers", metadata,
    # Derived from the cause (hours:<record_id>, redeem:<redemption_id>, ...): a cause moves once.
    Column("id", String(100), primary_key=True),
    Column("debit_account_id", String(36), ForeignKey("accounts.id"), nullable=False),
    Column("credit_account_id", String(36), ForeignKey("accounts.id"), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # The earning-rules version that priced a credit (hours, bonuses); null for other kinds.
    Column("rule_version", Integer, nullable=True),
    # The organizer factor of that version applied to an hours credit ("1.50"); null otherwise.
    Column("organizer_factor", String(8), nullable=True),
    # Two-phase transfers (README "Holds"): the first phase of a hold is written 'pending' and
    # becomes 'posted' (captured) or 'voided'; null for a one-phase transfer, posted when written.
    Column("status", String(8), nullable=True),
    CheckConstraint("amount > 0", name="amount_positive"),
    CheckConstraint("debit_account_id <> credit_account_id", name="distinct_accounts"),
)

postings = Table(
    "postings", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("transfer_id", String(100), ForeignKey("transfers.id"), nullable=False, index=True),
    Column("account_id", String(36), ForeignKey("accounts.id"), nullable=False),
    Column("amount", BigInteger, nullable=False),  # signed: negative on the debit side
    Column("balance_after", BigInteger, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_postings_account_id_id", "account_id", "id"),
)

# A lot of points (only with SHANXING_POINTS_EXPIRY_DAYS): what one credit left spendable, spent
# oldest-expiry-first; what remains at expires_at leaves as the transfer expire:<lot id>.
point_lots = Table(
    "point_lots", metadata,
    Column("id", String(36), primary_key=True),
    Column("account_id", String(36), ForeignKey("accounts.id"), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("remaining", BigInteger, nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("source_transfer_id", String(100), ForeignKey("transfers.id"), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expired_at", DateTime(timezone=True), nullable=True),  # set once the job handled it
    CheckConstraint("amount > 0", name="amount_positive"),
    CheckConstraint("remaining >= 0 AND remaining <= amount", name="remaining_within_amount"),
    Index("ix_point_lots_account_expires", "account_id", "expires_at"),
    Index("ix_point_lots_due", "expired_at", "expires_at"),
)

# What each hours record credited, so a revocation reverses exactly that (and a revocation that
# arrives before its confirmation leaves a tombstone the confirmation then respects).
hour_credits = Table(
    "hour_credits", metadata,
    Column("record_id", String(64), primary_key=True),
    Column("volunteer_id", String(64), nullable=False),
    Column("hours", String(16), nullable=False),
    Column("points", BigInteger, nullable=False),
    Column("status", String(16), nullable=False),  # credited | revoked
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
    Column("category", String(64), nullable=True),
    Column("served_on", Date, nullable=True),  # the date the daily cap counts against
    Column("rule_version", Integer, nullable=True),
    # Points the rate gave but the daily cap or the verified-only setting withheld, and why.
    Column("not_earned", BigInteger, nullable=False, server_default="0"),
    Column("not_earned_reason", String(16), nullable=True),  # daily_cap | unverified
    Column("organization_id", String(64), nullable=True),  # from the event (0009)
    Column("organizer_factor", String(8), nullable=True),  # what the rule version gave it
    CheckConstraint("status IN ('credited', 'revoked')", name="status"),
    Index("ix_hour_credits_volunteer_served_on", "volunteer_id", "served_on"),
)

# Published versions of the earning rules (README "Earning rules"); the maps are JSON objects.
earning_rules = Table(
    "earning_rules", metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("points_per_hour", Integer, nullable=False),
    Column("category_rates", Text, nullable=False),
    Column("daily_cap_per_volunteer", BigInteger, nullable=True),
    Column("star_upgrade_bonus", Text, nullable=False),
    Column("commendation_bonus", Text, nullable=False),
    # {organization_id: "1.50"}; organizations not named earn with factor 1.00 (0009).
    Column("organization_factors", Text, nullable=False, server_default="{}"),
    Column("effective_from", DateTime(timezone=True), nullable=False, index=True),
    Column("published_by", String(64), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("version >= 1", name="version_positive"),
    CheckConstraint("points_per_hour >= 0", name="rate_not_negative"),
)

# One row per bonus cause (star:<volunteer>:<level>, commendation:<id>), zero bonuses included,
# so a level or a commendation is considered once even when it earned nothing.
bonus_awards = Table(
    "bonus_awards", metadata,
    Column("id", String(100), primary_key=True),
    Column("volunteer_id", String(64), nullable=False, index=True),
    Column("kind", String(16), nullable=False),  # star | commendation
    Column("level", String(40), nullable=False),
    Column("points", BigInteger, nullable=False),
    Column("rule_version", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("points >= 0", name="points_not_negative"),
)

# --- merchants ---------------------------------------------------------------------------------

merchants = Table(
    "merchants", metadata,
    Column("id", String(36), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("address", String(200), nullable=False),
    Column("status", String(16), nullable=False),  # active | suspended
    Column("created_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("status IN ('active', 'suspended')", name="status"),
)

merchant_keys = Table(
    "merchant_keys", metadata,
    Column("key_id", String(40), primary_key=True),
    Column("merchant_id", String(36), ForeignKey("merchants.id"), nullable=False, index=True),
    Column("secret_ciphertext", Text, nullable=False),
    Column("status", String(16), nullable=False),  # active | revoked
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
    CheckConstraint("status IN ('active', 'revoked')", name="status"),
)

stores = Table(
    "stores", metadata,
    Column("id", String(36), primary_key=True),
    Column("merchant_id", String(36), ForeignKey("merchants.id"), nullable=False),
    Column("name", String(100), nullable=False),
    Column("address", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_stores_merchant_created", "merchant_id", "created_at", "id"),
)

# People at a merchant's stores who sign in to the POS page (README "Merchant staff").
merchant_staff = Table(
    "merchant_staff", metadata,
    Column("id", String(36), primary_key=True),
    Column("merchant_id", String(36), ForeignKey("merchants.id"), nullable=False),
    Column("store_id", String(36), ForeignKey("stores.id"), nullable=False),
    Column("login", String(40), nullable=False),  # lower-cased
    Column("name", String(50), nullable=True),
    Column("password_hash", Text, nullable=False),  # argon2id
    Column("role", String(16), nullable=False),  # cashier | manager
    Column("status", String(16), nullable=False),  # active | inactive
    # Failed-login window (shanxing_common.login_throttle): failures counted since the window opened.
    Column("failed_logins", Integer, nullable=False, server_default="0"),
    Column("failed_window_opened_at", DateTime(timezone=True), nullable=True),
    Column("last_login_at", DateTime(timezone=True), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("deactivated_at", DateTime(timezone=True), nullable=True),
    # Raised by every password reset; a sign-in made under an older version is refused.
    Column("credentials_version", Integer, nullable=False, server_default="0"),
    UniqueConstraint("merchant_id", "login", name="uq_merchant_staff_merchant_login"),
    CheckConstraint("role IN ('cashier', 'manager')", name="role"),
    CheckConstraint("status IN ('active', 'inactive')", name="status"),
    Index("ix_merchant_staff_merchant_created", "merchant_id", "created_at", "id"),
)

goods = Table(
    "goods", metadata,
    Column("id", String(36), primary_key=True),
    Column("merchant_id", String(36), ForeignKey("merchants.id"), nullable=False),
    Column("sku", String(64), nullable=False),
    Column("name", String(100), nullable=False),
    Column("points", BigInteger, nullable=False),
    Column("stock", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("active", Boolean, nullable=False, server_default="1"),  # inactive goods cannot be redeemed
    # Units one volunteer may redeem per calendar day (SHANXING_TIMEZONE); null = no limit.
    Column("daily_limit_per_volunteer", Integer, nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=True),
    UniqueConstraint("merchant_id", "sku", name="uq_goods_merchant_sku"),
    CheckConstraint("points > 0", name="points_positive"),
    CheckConstraint("stock >= 0", name="stock_not_negative"),
)

# --- redemptions -------------------------------------------------------------------------------

redemption_codes = Table(
    "redemption_codes", metadata,
    Column("id", String(36), primary_key=True),
    Column("code_hash", String(64), nullable=False, unique=True),  # SHA-256 hex; never the digits
    Column("volunteer_id", String(64), nullable=False, index=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("used_at", DateTime(timezone=True), nullable=True),
)

redemptions = Table(
    "redemptions", metadata,
    Column("id", String(36), primary_key=True),
    Column("merchant_id", String(36), ForeignKey("merchants.id"), nullable=False),
    Column("volunteer_id", String(64), nullable=False),
    Column("code_id", String(36), ForeignKey("redemption_codes.id"), nullable=False, unique=True),
    Column("points", BigInteger, nullable=False),
    Column("status", String(16), nullable=False),  # completed | refunded
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("refunded_at", DateTime(timezone=True), nullable=True),
    # Points given back so far; status stays completed until all are (the API then shows
    # partially_refunded while 0 < refunded_points < points).
    Column("refunded_points", BigInteger, nullable=False, server_default="0"),
    # The closed settlement statement that covers it (then it can no longer be refunded).
    Column("settlement_id", String(36), nullable=True, index=True),
    # The store the till belongs to, when the till says (optional in the request).
    Column("store_id", String(36), nullable=True),
    # Who made it: "key:<key_id>" (a signed till) or "staff:<staff_id>" (the POS page) (0010).
    Column("made_by", String(80), nullable=True),
    CheckConstraint("status IN ('completed', 'refunded')", name="status"),
    CheckConstraint("points > 0", name="points_positive"),
    Index("ix_redemptions_merchant_created", "merchant_id", "created_at", "id"),
    Index("ix_redemptions_volunteer_created", "volunteer_id", "created_at"),
)

redemption_items = Table(
    "redemption_items", metadata,
    Column("redemption_id", String(36), ForeignKey("redemptions.id"), primary_key=True),
    Column("good_id", String(36), ForeignKey("goods.id"), primary_key=True),
    Column("sku", String(64), nullable=False),
    Column("name", String(100), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("unit_points", BigInteger, nullable=False),
    Column("points", BigInteger, nullable=False),
    # Units refunded so far; a refund takes them by ``WHERE quantity - refunded_quantity >= n``.
    Column("refunded_quantity", Integer, nullable=False, server_default="0"),
    CheckConstraint("quantity > 0", name="quantity_positive"),
)

# Each refund of a redemption (full or partial), with its own id: transfer ``refund:<id>``.
# Refunds made before migration 0005 were backfilled with id = the redemption id.
refunds = Table(
    "refunds", metadata,
    Column("id", String(36), primary_key=True),
    Column("redemption_id", String(36), ForeignKey("redemptions.id"), nullable=False, index=True),
    Column("merchant_id", String(36), nullable=False),
    Column("points", BigInteger, nullable=False),
    Column("items", Text, nullable=False),  # JSON [{sku, quantity, points}]
    Column("idempotency_key", String(255), nullable=True),
    Column("request_hash", String(64), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("made_by", String(80), nullable=True),  # as on redemptions (0010)
    UniqueConstraint("merchant_id", "idempotency_key", name="uq_refunds_merchant_idempotency_key"),
    CheckConstraint("points > 0", name="points_positive"),
)

idempotency_keys = Table(
    "idempotency_keys", metadata,
    Column("merchant_id", String(36), primary_key=True),
    Column("key", String(255), primary_key=True),
    Column("request_hash", String(64), nullable=False),
    Column("status_code", Integer, nullable=True),
    Column("response", Text, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# Closed settlement statements: a merchant's redemptions over calendar dates (SHANXING_TIMEZONE),
# net of refunds, frozen when ops close the period. Periods of one merchant never overlap.
settlements = Table(
    "settlements", metadata,
    Column("id", String(36), primary_key=True),
    Column("merchant_id", String(36), ForeignKey("merchants.id"), nullable=False),
    Column("period_start", Date, nullable=False),
    Column("period_end", Date, nullable=False),  # inclusive
    Column("redemption_count", Integer, nullable=False),
    Column("points", BigInteger, nullable=False),
    Column("items", Text, nullable=False),  # JSON [{sku, name, quantity, points}]
    Column("closed_by", String(64), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("period_end >= period_start", name="period_ordered"),
    Index("ix_settlements_merchant_period", "merchant_id", "period_start"),
)


# A redemption in two phases (README "Holds"): the points wait in the `holds` account under the
# pending transfer hold:<id> and the stock is taken; capture turns it into the redemption <id>,
# void (by the merchant, or the job once expires_at passes) gives both back.
redemption_holds = Table(
    "redemption_holds", metadata,
    Column("id", String(36), primary_key=True),  # the redemption's id once captured
    Column("merchant_id", String(36), ForeignKey("merchants.id"), nullable=False),
    Column("volunteer_id", String(64), nullable=False),
    Column("code_id", String(36), ForeignKey("redemption_codes.id"), nullable=False, unique=True),
    Column("points", BigInteger, nullable=False),
    Column("store_id", String(36), nullable=True),
    Column("status", String(16), nullable=False),  # pending | captured | voided
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("resolved_at", DateTime(timezone=True), nullable=True),
    Column("void_reason", String(16), nullable=True),  # merchant | expired
    CheckConstraint("status IN ('pending', 'captured', 'voided')", name="status"),
    CheckConstraint("points > 0", name="points_positive"),
    Index("ix_redemption_holds_due", "status", "expires_at"),
    Index("ix_redemption_holds_merchant_created", "merchant_id", "created_at", "id"),
    Index("ix_redemption_holds_volunteer_status", "volunteer_id", "status"),
)

redemption_hold_items = Table(
    "redemption_hold_items", metadata,
    Column("hold_id", String(36), ForeignKey("redemption_holds.id"), primary_key=True),
    Column("good_id", String(36), ForeignKey("goods.id"), primary_key=True),
    Column("sku", String(64), nullable=False),
    Column("name", String(100), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("unit_points", BigInteger, nullable=False),
    Column("points", BigInteger, nullable=False),
    CheckConstraint("quantity > 0", name="quantity_positive"),
)
