def blueprints():
    from . import merchant, merchants, points

    return [points.blp, merchants.blp, merchant.blp]
