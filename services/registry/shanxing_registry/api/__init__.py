def blueprints():
    from . import auth, organizations, volunteers

    return [volunteers.blp, organizations.blp, auth.blp]
