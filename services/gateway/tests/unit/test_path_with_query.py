import pytest

from shanxing_gateway.proxy import has_dot_segments, path_with_query


@pytest.mark.parametrize("environ, expected", [
    ({"RAW_URI": "/api/v1/merchant/goods?limit=5&sku=A%20B", "PATH_INFO": "/x"},
     "/api/v1/merchant/goods?limit=5&sku=A%20B"),
    ({"REQUEST_URI": "/api/v1/merchant/goods", "PATH_INFO": "/x"}, "/api/v1/merchant/goods"),
    ({"RAW_URI": "http://gateway.local/api/v1/merchant/goods?limit=5"}, "/api/v1/merchant/goods?limit=5"),
    ({"PATH_INFO": "/api/v1/merchant/goods", "QUERY_STRING": "limit=5"}, "/api/v1/merchant/goods?limit=5"),
    ({"PATH_INFO": "/api/v1/merchant/goods", "QUERY_STRING": ""}, "/api/v1/merchant/goods"),
    ({"PATH_INFO": "/api/v1/merchant/goods/A B"}, "/api/v1/merchant/goods/A%20B"),
    ({"PATH_INFO": "/api/v1/merchant/goods/大米".encode().decode("latin-1")},
     "/api/v1/merchant/goods/%E5%A4%A7%E7%B1%B3"),
    ({"RAW_URI": "/api/v1/merchant/goods/大米".encode().decode("latin-1")}, "/api/v1/merchant/goods/大米"),
])
def test_the_target_is_taken_as_sent(environ, expected):
    assert path_with_query(environ) == expected


def test_dot_segments_are_spotted():
    assert has_dot_segments("/api/v1/merchant/../points/me")
    assert has_dot_segments("/api/v1/./points")
    assert not has_dot_segments("/api/v1/points/me.json")
