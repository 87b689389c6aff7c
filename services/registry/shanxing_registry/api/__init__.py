def blueprints():
    return []
