"""Where every setting is read: the variables (the process environment, over a .env file,
over the presets of `python -m web serve --production`), a section converted from them, and a
bad value told in one line that names its variable.

A section is a msgspec struct whose fields name their variable (`variable("PORT", 4000)`):
converting the variables into it checks their types, and its error path is the variable."""

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import msgspec

S = TypeVar("S", bound=msgspec.Struct)


class ConfigError(Exception):
    """One line for the operator: the variable, and what is wrong with it."""


def variable(name: str, default: Any = msgspec.NODEFAULT) -> Any:
    """A section's field, read from the environment variable `name`."""
    return msgspec.field(default=default, name=name)


def read_variables(
    environ: Mapping[str, str] | None, env_file: str, defaults: Mapping[str, str] | None
) -> dict[str, str]:
    """`environ` (default os.environ) over `env_file` over `defaults`; an empty value is unset."""
    merged = {**(defaults or {}), **_read_env_file(Path(env_file)), **(os.environ if environ is None else environ)}
    return {name: value for name, value in merged.items() if value != ""}


def read_section(kind: type[S], variables: Mapping[str, str]) -> S:
    """The section `kind` from its variables (a field that is itself a section is read the same
    way); a comma-separated list for a tuple field."""
    values: dict[str, object] = {}
    for field in msgspec.structs.fields(kind):
        if isinstance(field.type, type) and issubclass(field.type, msgspec.Struct):
            values[field.encode_name] = read_section(field.type, variables)
        elif field.encode_name in variables:
            value = variables[field.encode_name]
            values[field.encode_name] = comma_list(value) if field.type == tuple[str, ...] else value
    return convert(values, kind)


def convert(values: Mapping[str, object], kind: type[S], name: Callable[[str], str] = str) -> S:
    """`values` as a `kind`, or the one line of the first wrong value (`name`: a key's variable)."""
    try:
        return msgspec.convert(values, kind, strict=False)
    except msgspec.ValidationError as exc:
        raise _conversion_error(exc, values, name) from None  # the traceback would only say `$.PORT`


def comma_list(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


# msgspec's words for a type, in the operator's words.
_EXPECTED = {"int": "an integer", "bool": "true or false", "str": "text"}


def _conversion_error(exc: msgspec.ValidationError, values: Mapping[str, object], name: Callable[[str], str]) -> ConfigError:
    """msgspec says "Expected `int`, got `str` - at `$.PORT`"; name the variable and its value."""
    problem, _, path = str(exc).rpartition(" - at `$.")
    key = path.rstrip("`").split("[")[0]
    if not problem or key not in values:
        return ConfigError(f"invalid configuration: {exc}")
    expected = problem.removeprefix("Expected `").partition("`")[0].removesuffix(" | null")
    return bad(name(key), _EXPECTED.get(expected, problem), values[key])


def bad(name: str, expected: str, value: object) -> ConfigError:
    """The line for variable `name`, whose value is not what it should be."""
    if isinstance(value, (list, tuple)):
        value = ",".join(map(str, value))
    return ConfigError(f'{name}: expected {expected}, got "{value}"')


def check_at_least(minimum: int, expected: str, **values: float | None) -> None:
    """Each variable (by name) unset or at least `minimum`."""
    for name, value in values.items():
        if value is not None and value < minimum:
            raise bad(name, expected, value)


def check_urls(**urls: str | None) -> None:
    """Each variable (by name) unset or an http(s) URL."""
    for name, url in urls.items():
        if url is not None and urlsplit(url).scheme not in ("http", "https"):
            raise bad(name, "an http(s) URL", url)


def _read_env_file(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    values = {}
    for line in path.read_text("utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.removeprefix("export ").partition("=")
        values[key.strip()] = value.strip().strip("'\"")
    return values
