def blueprints():
    from . import auth, certificates, organizations, teams, volunteers

    return [volunteers.blp, organizations.blp, teams.blp, certificates.blp, auth.blp]
