def blueprints():
    from .token import blp as token

    return [token]
