"""make web says what is missing before starting anything, and its local providers sign in
the person it announces."""

import stat

import httpx
from contextlib import ExitStack

from tests.support.web_dev import node_problem, start_providers


def fake_tool(directory, name: str, output: str = "") -> None:
    path = directory / name
    path.write_text(f"#!/bin/sh\necho '{output}'\n")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)


def test_make_web_names_node_and_npm_when_both_are_missing(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    problem = node_problem()
    assert problem is not None and "Node.js" in problem and "node, npm" in problem


def test_make_web_refuses_a_node_too_old_for_next(tmp_path, monkeypatch):
    fake_tool(tmp_path, "node", "v16.20.2")
    fake_tool(tmp_path, "npm", "8.19.4")
    monkeypatch.setenv("PATH", str(tmp_path))
    assert "v16.20.2 is too old" in node_problem()


def test_make_web_accepts_a_recent_node(tmp_path, monkeypatch):
    fake_tool(tmp_path, "node", "v20.19.0")
    fake_tool(tmp_path, "npm", "10.8.2")
    monkeypatch.setenv("PATH", str(tmp_path))
    assert node_problem() is None


def test_the_local_providers_are_wired_for_the_api():
    with ExitStack() as stack:
        env = start_providers(stack, "ada@example.com", "Ada Lovelace")
        discovery = httpx.get(env["GOOGLE_DISCOVERY_URL"]).json()
        assert discovery["issuer"] in env["GOOGLE_DISCOVERY_URL"]
        authorize = httpx.get(f"{env['GITHUB_OAUTH_URL']}/authorize", params={
            "client_id": env["GITHUB_CLIENT_ID"], "redirect_uri": "http://localhost:4000/cb", "state": "s"})
        assert authorize.status_code == 302 and "code=" in authorize.headers["location"]
    assert {"FACEBOOK_AUTHORIZE_URL", "FACEBOOK_GRAPH_URL", "GITHUB_API_URL", "GOOGLE_CLIENT_SECRET"} <= env.keys()
