"""A system under test, as its TOML file in bench/systems/ describes it (bench/README.md lists
the keys): how to start it, and the requests that register, log in, ask who is logged in,
refresh and log out."""

import json
import os
import tomllib
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRATCH = Path(os.environ.get("BENCH_SCRATCH") or ROOT / ".bench").resolve()
SYSTEMS = ROOT / "bench" / "systems"

DEFAULTS: dict[str, dict] = {
    "health": {"method": "GET", "path": "/health", "ok_status": [200]},
    "register": {"method": "POST", "format": "json", "ok_status": [200, 201], "exists_status": [400, 409]},
    "login": {"method": "POST", "format": "json", "ok_status": [200, 204], "cookies": []},
    "me": {"method": "GET", "ok_status": [200], "unauth_status": [401, 403]},
    "users": {"email": "bench{i}@example.com", "password": "Bench-pass-{i}-Xy7!", "username": "bench{i}",
              "firstname": "Bench", "lastname": "User{i}"},
}
OPTIONAL_DEFAULTS: dict[str, dict] = {  # sections a system may leave out
    "refresh": {"method": "POST", "origin": "http://localhost:3000"},
    "logout": {"method": "POST"},
}


def expand(text: str) -> str:
    """${PROJECT_DIR} and ${BENCH_SCRATCH} are the checkout and the scratch folder; other
    ${VARS} come from the environment."""
    text = text.replace("${PROJECT_DIR}", str(ROOT)).replace("${BENCH_SCRATCH}", str(SCRATCH))
    return os.path.expandvars(text)


def load(path: Path | str) -> dict:
    path = Path(path)
    with path.open("rb") as file:
        return complete(tomllib.load(file), path)


def complete(system: dict, path: Path) -> dict:
    """The defaults filled in, and the keys without which nothing can run checked."""
    system = {**system, "name": system.get("name", path.stem), "file": str(path)}
    if "base_url" not in system:
        raise SystemExit(f"{path}: base_url is missing")
    system["base_url"] = system["base_url"].rstrip("/")
    for section, defaults in DEFAULTS.items():
        system[section] = {**defaults, **system.get(section, {})}
    for section in ("register", "login", "me"):
        if "path" not in system[section]:
            raise SystemExit(f"{path}: [{section}] has no path")
    for section in ("register", "login"):
        if "body" not in system[section] or system[section]["format"] not in ("json", "form"):
            raise SystemExit(f"{path}: [{section}] needs a body and a format, json or form")
    for section, defaults in OPTIONAL_DEFAULTS.items():
        if section in system:
            system[section] = {**defaults, **system[section]}
    if "refresh" in system:
        if not system["refresh"].get("path") or not system["refresh"].get("cookie"):
            raise SystemExit(f"{path}: [refresh] needs a path and the refresh cookie's name")
    return system


def user(system: dict, i: int) -> dict[str, str]:
    """Bench user number i: email, password, username, firstname, lastname."""
    return {key: template.replace("{i}", str(i)) for key, template in system["users"].items()}


def fill(template, values: dict[str, str]):
    """{email}, {password}... replaced in every string of a body; other values kept as they are."""
    if isinstance(template, str):
        for key, value in values.items():
            template = template.replace("{" + key + "}", value)
        return template
    if isinstance(template, dict):
        return {key: fill(item, values) for key, item in template.items()}
    if isinstance(template, list):
        return [fill(item, values) for item in template]
    return template


def body(section: dict, values: dict[str, str]) -> tuple[str, str]:
    """(Content-Type, body) of a register or login request for one user."""
    filled = fill(section["body"], values)
    if section["format"] == "json":
        return "application/json", json.dumps(filled, separators=(",", ":"))
    return "application/x-www-form-urlencoded", urllib.parse.urlencode(filled)
