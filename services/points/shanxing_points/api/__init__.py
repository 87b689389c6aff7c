def blueprints():
    from . import merchant, merchants, points, rules, settlements

    return [points.blp, rules.blp, merchants.blp, merchant.blp, settlements.blp]
