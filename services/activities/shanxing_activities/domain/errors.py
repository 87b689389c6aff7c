"""Rule violations the use cases raise; the API turns each into problem+json."""
from __future__ import annotations


class DomainError(Exception):
    status = 400

    def __init__(self, detail: str, errors: dict[str, list[str]] | None = None):
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or {}


class ValidationFailed(DomainError):
    """Input that breaks a rule; ``errors`` names every offending field."""

    status = 400

    @classmethod
    def of(cls, errors: dict[str, list[str]]) -> "ValidationFailed":
        detail = "; ".join(f"{name}: {'; '.join(msgs)}" for name, msgs in errors.items())
        return cls(detail, errors)

    @classmethod
    def field(cls, name: str, message: str) -> "ValidationFailed":
        return cls.of({name: [message]})


class Forbidden(DomainError):
    status = 403


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    status = 409
