"""The edge (web.observability.access): every answer carries its X-Request-ID, every line
written while serving a request carries its id, the access line names the route's template,
the path without its query string, the status, the duration and the client, and the measures
go to `observe` with labels that stay few."""

import logging
import uuid
from typing import Annotated

import pytest
from litestar import Litestar, get
from litestar.params import PathParameter
from litestar.testing import TestClient

from web.edge.cookies import CookiePolicy
from web.edge.head_and_preflight import HeadAndPreflight
from web.errors import make_exception_handlers
from web.observability.access import UNMATCHED, ObservedRequests

log = logging.getLogger("sesame.test")


@get("/items/{item_id:int}")
async def item(item_id: Annotated[int, PathParameter()]) -> dict:
    log.warning("looking at item %d", item_id)
    return {"id": item_id}


@get("/fails")
async def fails() -> None:
    raise RuntimeError("a bug")


def client(access_log: bool = True, observed: list | None = None) -> TestClient:
    app = Litestar([item, fails], exception_handlers=make_exception_handlers(CookiePolicy(secure=False)),
                   logging_config=None)
    observe = (lambda *measure: observed.append(measure)) if observed is not None else None
    app.asgi_handler = ObservedRequests(HeadAndPreflight(app.asgi_handler, lambda origin: False),
                                        access_log=access_log, observe=observe)
    return TestClient(app)


def ours(lines: list[dict]) -> list[dict]:
    """The app's lines (the test client's httpx writes its own)."""
    return [line for line in lines if line["logger"].startswith("sesame")]


def access_lines(lines: list[dict]) -> list[dict]:
    return [line for line in lines if line["logger"] == "sesame.access"]


def test_the_access_line_has_the_route_template_and_no_query_string(json_log):
    with client() as http:
        answer = http.get("/items/7?code=4%2F0Ab-secret&state=s3cr3t", headers={"X-Request-ID": "req-7"})
    assert answer.headers["x-request-id"] == "req-7"
    [inside, access] = ours(json_log.lines())
    assert (inside["message"], inside["request_id"]) == ("looking at item 7", "req-7")
    assert {key: access[key] for key in ("request_id", "method", "route", "path", "status", "client")} == {
        "request_id": "req-7", "method": "GET", "route": "/items/{item_id}", "path": "/items/7",
        "status": 200, "client": None,  # the test client's "testclient" is no address
    }
    assert isinstance(access["duration_ms"], float) and access["duration_ms"] >= 0
    assert access["time"].endswith("Z") and access["level"] == "INFO"
    assert "code" not in access["message"] and "s3cr3t" not in access["message"]


@pytest.mark.parametrize(("method", "path", "status"), [
    ("GET", "/nowhere", 404), ("DELETE", "/items/7", 405), ("GET", "/fails", 500),
    ("OPTIONS", "/items/7", 403),  # a preflight from a refused origin, answered by HeadAndPreflight itself
])
def test_every_answer_carries_a_request_id_errors_included(json_log, method, path, status):
    headers = {"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"} if method == "OPTIONS" else {}
    with client() as http:
        answer = http.request(method, path, headers={**headers, "X-Request-ID": "bad id!"})
    assert answer.status_code == status
    made = answer.headers["x-request-id"]
    assert uuid.UUID(made).version == 4  # the one sent was not sane: a new one
    lines = ours(json_log.lines())
    assert lines and all(line["request_id"] == made for line in lines)  # the 500's traceback line too
    [access] = access_lines(lines)
    assert access["status"] == status


def test_a_head_request_is_measured_under_its_get_route():
    observed = []
    with client(access_log=False, observed=observed) as http:
        assert http.head("/items/3").status_code == 200
    assert observed[0][:3] == ("/items/{item_id}", "HEAD", 200)


def test_unmatched_paths_share_one_route_label():
    observed = []
    with client(access_log=False, observed=observed) as http:
        for path in ("/a", "/b/c", "/" + "x" * 500):
            http.get(path)
    assert {measure[:3] for measure in observed} == {(UNMATCHED, "GET", 404)}
    assert all(seconds >= 0 for *_, seconds in observed)


def test_without_the_access_log_no_line_but_the_id_still_goes_back(json_log):
    with client(access_log=False) as http:
        answer = http.get("/items/1", headers={"X-Request-ID": "abc"})
    assert answer.headers["x-request-id"] == "abc"
    assert [line["logger"] for line in ours(json_log.lines())] == ["sesame.test"]


def test_a_decoded_newline_in_the_path_cannot_forge_a_text_line(text_log):
    with client() as http:
        http.get("/items/1%0AINFO:%20%20%20%20%20forged")
    written = text_log.text()
    assert "\nINFO:     forged" not in written and "\\nINFO:" in written


def test_outside_a_request_a_line_has_no_request_id(json_log):
    log.warning("between requests")
    [line] = ours(json_log.lines())
    assert "request_id" not in line
