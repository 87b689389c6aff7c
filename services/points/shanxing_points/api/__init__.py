def blueprints():
    from . import holds, merchant, merchants, points, rules, settlements

    return [points.blp, rules.blp, merchants.blp, merchant.blp, settlements.blp, holds.blp]
