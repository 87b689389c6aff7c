def blueprints():
    from .staff_token import blp as staff_token
    from .token import blp as token

    return [token, staff_token]


def pages():
    """Plain Flask blueprints (no OpenAPI): the POS page."""
    from .pos import blp as pos

    return [pos]
