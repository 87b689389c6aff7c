"""HTTP: one module per resource (flask-smorest Blueprints with marshmallow schemas)."""
from __future__ import annotations

from flask import Flask

from shanxing_common.problems import Problem, problem_response

from ..domain.errors import DomainError


def blueprints():
    from . import activities, checkin, hours, leaderboards, recommendations, reviews, signups, statistics

    from . import demands, projects

    return [activities.blp, signups.blp, checkin.blp, hours.blp, leaderboards.blp, reviews.blp,
            demands.blp, projects.blp, recommendations.blp, statistics.blp]


def register_domain_errors(app: Flask) -> None:
    """A broken rule from the use cases becomes problem+json with its status and fields."""

    @app.errorhandler(DomainError)
    def _domain_error(error: DomainError):
        return problem_response(Problem(error.status, error.detail, errors=error.errors or None))
