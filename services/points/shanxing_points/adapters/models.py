"""SQLAlchemy tables of the points service (its own database only)."""
from __future__ import annotations

from sqlalchemy import (BigInteger, CheckConstraint, Column, DateTime, ForeignKey, Index, Integer,
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
    CheckConstraint("status IN ('credited', 'revoked')", name="status"),
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
    CheckConstraint("status IN ('active', 'revoked')", name="status"),
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
    CheckConstraint("status IN ('completed', 'refunded')", name="status"),
    CheckConstraint("points > 0", name="points_positive"),
    Index("ix_redemptions_merchant_created", "merchant_id", "created_at", "id"),
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
    CheckConstraint("quantity > 0", name="quantity_positive"),
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
