def blueprints():
    from . import holds, merchant, merchants, points, rules, settlements, staff

    return [points.blp, rules.blp, merchants.blp, merchant.blp, settlements.blp, staff.blp, holds.blp]
