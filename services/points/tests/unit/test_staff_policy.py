from shanxing_points.domain import staff


def test_a_cashier_sells_and_a_manager_also_refunds_and_manages_goods():
    sells = {staff.LIST_GOODS, staff.LIST_STORES, staff.REDEEM, staff.LIST_REDEMPTIONS}
    assert all(staff.may(staff.CASHIER, a) for a in sells)
    assert not staff.may(staff.CASHIER, staff.REFUND) and not staff.may(staff.CASHIER, staff.MANAGE_GOODS)
    assert all(staff.may(staff.MANAGER, a) for a in sells | {staff.REFUND, staff.MANAGE_GOODS})
    for role in (staff.CASHIER, staff.MANAGER, "owner", ""):
        assert not staff.may(role, staff.KEY_ONLY)
    assert not staff.may("owner", staff.REDEEM)


def test_the_maker_of_a_redemption_is_a_staff_member_or_a_key():
    assert staff.staff_id_of("staff:abc") == "abc" and staff.made_by("staff:abc") == "staff:abc"
    assert staff.staff_id_of("mk_123") is None and staff.made_by("mk_123") == "key:mk_123"
    assert staff.normalise_login("  XiaoLi ") == "xiaoli"
    assert staff.LOGIN_RE.match("xiao.li-1") and not staff.LOGIN_RE.match("xl") and not staff.LOGIN_RE.match(".li")
