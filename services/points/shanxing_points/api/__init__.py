def blueprints():
    from . import merchant, merchants, points, rules, settlements, staff

    return [points.blp, rules.blp, merchants.blp, merchant.blp, settlements.blp, staff.blp]
