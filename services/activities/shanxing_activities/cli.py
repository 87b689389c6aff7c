from shanxing_common.cli import make_cli
from shanxing_common.messaging.worker import Job

from .clock import SystemClock
from .config import review_due_hours
from .service.event_handlers import HANDLERS
from .service.reviews import escalate_overdue_reviews

REVIEW_ESCALATION_EVERY_SECONDS = 60


def jobs(settings, db):
    due_hours = review_due_hours(settings)
    clock = SystemClock()
    return [Job("review-escalation", REVIEW_ESCALATION_EVERY_SECONDS,
                lambda: escalate_overdue_reviews(db, clock.now(), due_hours))]


cli = make_cli(service="activities", package="shanxing_activities", handlers=HANDLERS, jobs=jobs)
