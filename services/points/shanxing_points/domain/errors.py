"""Domain errors; the API turns each into a problem+json status."""
from __future__ import annotations


class PointsError(Exception):
    """Base class; ``field`` names the request field at fault, when there is one."""

    status = 400

    def __init__(self, detail: str, field: str | None = None):
        super().__init__(detail)
        self.detail = detail
        self.field = field


class InvalidInput(PointsError):
    status = 400


class Forbidden(PointsError):
    status = 403


class NotFound(PointsError):
    status = 404


class Conflict(PointsError):
    status = 409


class InsufficientPoints(Conflict):
    def __init__(self, detail: str = "insufficient points"):
        super().__init__(detail)


class OutOfStock(Conflict):
    def __init__(self, sku: str):
        super().__init__(f"insufficient stock for sku {sku}", field="items")
        self.sku = sku
