"""Our Set-Cookie headers are byte for byte what Litestar's SimpleCookie rendering gives."""

import itertools

import pytest
from litestar.datastructures import Cookie

from web.edge.cookies import CookiePolicy

VALUES = ["Ab3_-x.9", "", "needs quoting;", "é"]


@pytest.mark.parametrize("secure,samesite,domain", list(itertools.product(
    [False, True], ["lax", "strict", "none"], [None, "example.com"])))
def test_headers_are_litestars(secure, samesite, domain):
    policy = CookiePolicy(secure=secure, samesite=samesite, domain=domain)
    for value, max_age, path in itertools.product(VALUES, [0, 900], [None, "/auth/google"]):
        ours = policy._cookie("sid", value, max_age, path)
        theirs = Cookie(**{f: getattr(ours, f) for f in ("key", "value", "max_age", "path", "domain",
                                                         "secure", "httponly", "samesite")})
        assert ours.to_encoded_header() == theirs.to_encoded_header()
        assert ours.to_header() == theirs.to_header()
