from shanxing_common.cli import make_cli

from .service.event_handlers import HANDLERS

cli = make_cli(service="activities", package="shanxing_activities", handlers=HANDLERS)
