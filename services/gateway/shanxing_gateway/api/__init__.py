def blueprints():
    from .staff_token import blp as staff_token
    from .token import blp as token

    return [token, staff_token]


def pages():
    """Plain Flask blueprints (no OpenAPI): the POS page and the volunteer's points page."""
    from .pos import blp as pos
    from .volunteer_page import blp as volunteer_page

    return [pos, volunteer_page]
