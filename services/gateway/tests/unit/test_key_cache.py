from shanxing_gateway.auth.merchants import MerchantKey, MerchantKeyCache

KEY = MerchantKey(key_id="mk_1", merchant_id="m1", secret="s", status="active")


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_a_key_is_fetched_once_per_ttl():
    fetched, clock = [], Clock()
    cache = MerchantKeyCache(lambda key_id: fetched.append(key_id) or KEY, ttl_seconds=30, clock=clock)
    assert cache.get("mk_1") == KEY
    clock.now += 29
    assert cache.get("mk_1") == KEY
    assert fetched == ["mk_1"]
    clock.now += 2  # the revocation delay ends with the ttl
    cache.get("mk_1")
    assert fetched == ["mk_1", "mk_1"]


def test_a_revoked_key_is_seen_once_the_entry_expires():
    answers = {"mk_1": KEY}
    clock = Clock()
    cache = MerchantKeyCache(lambda key_id: answers[key_id], ttl_seconds=30, clock=clock)
    cache.get("mk_1")
    answers["mk_1"] = MerchantKey(key_id="mk_1", merchant_id="m1", secret="s", status="revoked")
    assert cache.get("mk_1").active
    clock.now += 31
    assert not cache.get("mk_1").active


def test_unknown_keys_are_remembered_only_briefly():
    fetched, clock = [], Clock()
    cache = MerchantKeyCache(lambda key_id: fetched.append(key_id), ttl_seconds=30, clock=clock)
    assert cache.get("mk_x") is None
    assert cache.get("mk_x") is None
    clock.now += MerchantKeyCache.UNKNOWN_TTL_SECONDS + 0.1
    cache.get("mk_x")
    assert fetched == ["mk_x", "mk_x"]


def test_a_zero_ttl_disables_the_cache():
    fetched = []
    cache = MerchantKeyCache(lambda key_id: fetched.append(key_id) or KEY, ttl_seconds=0)
    cache.get("mk_1")
    cache.get("mk_1")
    assert len(fetched) == 2
