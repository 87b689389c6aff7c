import ipaddress

import pytest

from shanxing_gateway.addresses import client_address, parse_address

PROXIES = (ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("fd00::/8"))


def test_without_trusted_proxies_the_peer_is_the_client_whatever_it_claims():
    assert client_address("198.51.100.7", ["203.0.113.9"], ()) == "198.51.100.7"


def test_a_peer_outside_the_trusted_proxies_is_the_client():
    assert client_address("198.51.100.7", ["203.0.113.9"], PROXIES) == "198.51.100.7"


def test_a_trusted_peer_vouches_for_the_hop_it_added():
    assert client_address("10.1.2.3", ["203.0.113.9"], PROXIES) == "203.0.113.9"


def test_the_first_untrusted_hop_from_the_right_wins_over_what_the_client_wrote():
    # the client claimed 1.1.1.1; proxy 10.9.9.9 saw 203.0.113.9; the peer 10.1.2.3 saw 10.9.9.9
    forwarded = ["1.1.1.1, 203.0.113.9", "10.9.9.9"]
    assert client_address("10.1.2.3", forwarded, PROXIES) == "203.0.113.9"


def test_only_trusted_hops_leaves_the_leftmost_one():
    assert client_address("10.1.2.3", ["10.0.0.5, 10.0.0.6"], PROXIES) == "10.0.0.5"


def test_a_trusted_peer_without_the_header_is_the_client():
    assert client_address("10.1.2.3", [], PROXIES) == "10.1.2.3"


def test_garbage_in_the_chain_stops_at_the_last_believable_address():
    assert client_address("10.1.2.3", ["203.0.113.9, not-an-address"], PROXIES) == "10.1.2.3"
    assert client_address("10.1.2.3", ["garbage, 203.0.113.9"], PROXIES) == "203.0.113.9"


@pytest.mark.parametrize("text, expected", [
    ("203.0.113.9", "203.0.113.9"),
    (" 203.0.113.9 ", "203.0.113.9"),
    ("203.0.113.9:51234", "203.0.113.9"),
    ("[2001:db8::1]:443", "2001:db8::1"),
    ("2001:db8::1", "2001:db8::1"),
    ("::ffff:10.0.0.1", "10.0.0.1"),
    ("unknown", None),
    ("", None),
    (None, None),
])
def test_parse_address(text, expected):
    parsed = parse_address(text)
    assert (str(parsed) if parsed else None) == expected


def test_ipv6_proxies_and_clients():
    assert client_address("fd00::1", ["2001:db8::7"], PROXIES) == "2001:db8::7"


def test_a_peer_that_is_not_an_address_gives_none():
    assert client_address(None, ["203.0.113.9"], PROXIES) is None
