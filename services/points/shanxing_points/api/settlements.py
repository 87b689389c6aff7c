"""Settlement reports (ops for any merchant, a merchant for itself), CSV export, closing statements."""
from __future__ import annotations

from flask import Response
from marshmallow import Schema, fields

from shanxing_common.internal_auth import caller, require_ops
from shanxing_common.schemas import RequestSchema
from shanxing_common.web import Blueprint, context

from ..service import settlements
from ..domain.staff import KEY_ONLY
from .actor import merchant_action

blp = Blueprint("settlements", __name__, description="Merchant settlement")


class SettlementQueryArgsSchema(RequestSchema):
    first = fields.Date(data_key="from", load_default=None,
                        metadata={"description": "first calendar date (SHANXING_TIMEZONE); default the 1st of this month"})
    last = fields.Date(data_key="to", load_default=None,
                       metadata={"description": "last calendar date, inclusive; default today"})


class SettlementCloseSchema(RequestSchema):
    period_start = fields.Date(required=True)
    period_end = fields.Date(required=True, metadata={"description": "inclusive; before today"})


class SettlementItemSchema(Schema):
    sku = fields.String()
    name = fields.String()
    quantity = fields.Integer(metadata={"description": "net of refunds"})
    points = fields.Integer(metadata={"description": "net of refunds"})


class SettlementDaySchema(Schema):
    date = fields.String()
    count = fields.Integer()
    points = fields.Integer()


class SettlementStoreSchema(Schema):
    store_id = fields.String(allow_none=True, metadata={"description": "null: the till named no store"})
    count = fields.Integer()
    points = fields.Integer()


class StatementSchema(Schema):
    id = fields.String()
    merchant_id = fields.String()
    period_start = fields.String()
    period_end = fields.String()
    count = fields.Integer()
    points = fields.Integer()
    items = fields.List(fields.Nested(SettlementItemSchema))
    created_at = fields.String()


class SettlementReportSchema(Schema):
    merchant_id = fields.String()
    from_ = fields.String(data_key="from")
    to = fields.String()
    count = fields.Integer(metadata={"description": "redemptions made in the period"})
    points = fields.Integer(metadata={"description": "points the merchant keeps: redeemed − refunded"})
    redeemed_points = fields.Integer()
    refunded_points = fields.Integer()
    items = fields.List(fields.Nested(SettlementItemSchema))
    days = fields.List(fields.Nested(SettlementDaySchema))
    stores = fields.List(fields.Nested(SettlementStoreSchema))
    statements = fields.List(fields.Nested(StatementSchema), metadata={
        "description": "closed statements overlapping the period"})


def _report(merchant_id: str, args: dict) -> dict:
    report = settlements.report(context().db, merchant_id, args["first"], args["last"])
    report["from_"] = report.pop("from")
    return report


def _csv(merchant_id: str, args: dict) -> Response:
    body = settlements.report_csv(context().db, merchant_id, args["first"], args["last"])
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="settlement-{merchant_id}.csv"'})


@blp.route("/api/v1/merchants/<string:merchant_id>/settlements", methods=["GET"])
@require_ops
@blp.arguments(SettlementQueryArgsSchema, location="query")
@blp.response(200, SettlementReportSchema)
def merchant_settlement_report(args, merchant_id):
    return _report(merchant_id, args)


@blp.route("/api/v1/merchants/<string:merchant_id>/settlements.csv", methods=["GET"])
@require_ops
@blp.arguments(SettlementQueryArgsSchema, location="query")
def merchant_settlement_csv(args, merchant_id):
    return _csv(merchant_id, args)


@blp.route("/api/v1/merchants/<string:merchant_id>/settlements", methods=["POST"])
@require_ops
@blp.arguments(SettlementCloseSchema)
@blp.response(201, StatementSchema)
def close_statement(body, merchant_id):
    return settlements.close(context().db, merchant_id, body["period_start"], body["period_end"],
                             closed_by=caller().subject)


@blp.route("/api/v1/merchant/settlement", methods=["GET"])
@merchant_action(KEY_ONLY)
@blp.arguments(SettlementQueryArgsSchema, location="query")
@blp.response(200, SettlementReportSchema)
def own_settlement_report(args):
    return _report(caller().merchant_id, args)


@blp.route("/api/v1/merchant/settlement.csv", methods=["GET"])
@merchant_action(KEY_ONLY)
@blp.arguments(SettlementQueryArgsSchema, location="query")
def own_settlement_csv(args):
    return _csv(caller().merchant_id, args)
