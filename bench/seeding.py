"""Before the scenarios: users registered and logged in through the system's own routes, the
files the load drivers rotate over, and checks that the system does what it is measured on."""

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.http_calls import call, cookie_header, cookie_value
from bench.systems import body, user


def in_parallel(work, count: int, threads: int) -> tuple[list, float]:
    started = time.monotonic()
    with ThreadPoolExecutor(threads) as pool:
        results = list(pool.map(work, range(count)))
    return results, time.monotonic() - started


def log_in(system: dict, i: int) -> list[tuple[str, str]]:
    """Log bench user i in; the answer's headers."""
    login = system["login"]
    content_type, text = body(login, user(system, i))
    status, headers, data = call(system["base_url"], login["method"], login["path"], text,
                                 {"Content-Type": content_type})
    if status not in login["ok_status"]:
        raise RuntimeError(f"login of user {i}: HTTP {status} {data[:200]!r}")
    return headers


def seed(system: dict, users: int, sessions: int, refresh_sessions: int, threads: int, workdir: Path) -> dict:
    """Register `users`, log `sessions` of them in (their session cookies: one per line of the
    cookie file), write every user's login body to the body file, and for a system with
    [refresh] log in `refresh_sessions` more (their refresh cookies: the token file)."""
    base, register, login = system["base_url"], system["register"], system["login"]

    def sign_up(i: int) -> int:
        content_type, text = body(register, user(system, i))
        status, _, data = call(base, register["method"], register["path"], text, {"Content-Type": content_type})
        if status not in register["ok_status"] + register["exists_status"]:
            raise RuntimeError(f"registration of user {i}: HTTP {status} {data[:200]!r}")
        return status

    def session_cookie(i: int) -> str:
        cookie = cookie_header(log_in(system, i), login["cookies"])
        if not cookie:
            raise RuntimeError(f"login of user {i} set no cookie {login['cookies']}")
        return cookie

    statuses, register_s = in_parallel(sign_up, users, threads)
    cookies, login_s = in_parallel(session_cookie, sessions, threads)
    check_me(system, cookies[0])
    check_wrong_password(system)
    name = system["name"]
    cookie_file, body_file = workdir / f"cookies-{name}.txt", workdir / f"logins-{name}.txt"
    cookie_file.write_text("\n".join(cookies) + "\n")
    body_file.write_text("\n".join(body(login, user(system, i))[1] for i in range(users)) + "\n")
    seeded = {
        "cookie_file": str(cookie_file), "body_file": str(body_file),
        "login_content_type": body(login, user(system, 0))[0],
        "seed_register_s": register_s, "seed_register_per_s": users / register_s if register_s else None,
        "seed_existing": sum(status in register["exists_status"] for status in statuses), "seed_login_s": login_s,
    }
    if refresh_sessions and "refresh" in system:
        seeded |= seed_refresh(system, users, refresh_sessions, threads, workdir)
    return seeded


def check_me(system: dict, cookie: str) -> None:
    """Who-am-I knows the cookie's user, and answers as a stranger without a cookie."""
    me, base = system["me"], system["base_url"]
    status, _, data = call(base, me["method"], me["path"], headers={"Cookie": cookie})
    if status not in me["ok_status"] or user(system, 0)["email"].lower() not in data.decode(errors="replace").lower():
        raise RuntimeError(f"who-am-I with a session cookie: HTTP {status} {data[:200]!r}")
    status, _, _ = call(base, me["method"], me["path"])
    if status not in me["unauth_status"]:
        raise RuntimeError(f"who-am-I without a cookie answered {status}, not one of {me['unauth_status']}")


def check_wrong_password(system: dict) -> None:
    login = system["login"]
    content_type, text = body(login, user(system, 0) | {"password": user(system, 0)["password"] + "-wrong"})
    status, _, _ = call(system["base_url"], login["method"], login["path"], text, {"Content-Type": content_type})
    if status in login["ok_status"]:
        raise RuntimeError("a login with a wrong password succeeded")


def seed_refresh(system: dict, users: int, count: int, threads: int, workdir: Path) -> dict:
    """Sessions of their own for the refresh scenario (so rotating them disturbs no session
    that who-am-I uses), one refresh cookie per line; one of them refreshed as a check."""
    refresh, base = system["refresh"], system["base_url"]

    def token(i: int) -> str:
        value = cookie_value(log_in(system, i % users), refresh["cookie"])
        if not value:
            raise RuntimeError(f"login of user {i % users} set no {refresh['cookie']} cookie")
        return value

    tokens, login_s = in_parallel(token, count, threads)
    origin = {"Origin": refresh["origin"]} if refresh["origin"] else {}
    status, _, _ = call(base, refresh["method"], refresh["path"], headers=origin)
    if 200 <= status < 300:
        raise RuntimeError(f"a refresh without a cookie answered {status}")
    status, headers, data = call(base, refresh["method"], refresh["path"],
                                 headers=origin | {"Cookie": f"{refresh['cookie']}={tokens[0]}"})
    successor = cookie_value(headers, refresh["cookie"])
    if not 200 <= status < 300 or not successor or successor == tokens[0]:
        raise RuntimeError(f"a refresh answered {status} and {'the same' if successor else 'no'} "
                           f"{refresh['cookie']}: {data[:200]!r}")
    tokens[0] = successor  # the first token is spent
    token_file = workdir / f"refresh-{system['name']}.txt"
    token_file.write_text("\n".join(tokens) + "\n")
    return {"refresh_file": str(token_file), "seed_refresh_login_s": login_s}


def logout_works(system: dict, i: int) -> str:
    """After a logout, the session's cookie no longer says who it was."""
    logout, me = system.get("logout"), system["me"]
    if not logout:
        return "not checked (no [logout])"
    cookie = cookie_header(log_in(system, i), system["login"]["cookies"])
    logged_out, _, _ = call(system["base_url"], logout["method"], logout["path"], headers={"Cookie": cookie})
    status, _, data = call(system["base_url"], me["method"], me["path"], headers={"Cookie": cookie})
    # who-am-I may answer 200 {"user": null}: then only the email's absence says it worked
    gone = status in me["unauth_status"] and user(system, i)["email"].lower() not in data.decode(errors="replace").lower()
    return f"{'yes' if gone else 'NO'} (logout {logged_out}, then the old cookie: {status})"
