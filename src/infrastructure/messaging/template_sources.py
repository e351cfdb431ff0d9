"""Where the templates come from: the shipped ones (package data, templates/<locale>/), each
replaceable by the file of the same name in TEMPLATES_DIR.

Rules:
- a file of TEMPLATES_DIR overrides the shipped file with the same relative name
  (`en/verify_email.subject.txt`), and that file only: every other file stays the shipped one
  (an overridden subject keeps the shipped text and HTML; an overridden `_layout.html`
  dresses every shipped HTML email);
- every file of TEMPLATES_DIR must be the name of a shipped template, or it is refused
  (`unknown_overrides`): a misspelt name would otherwise change nothing, silently;
- hidden files and folders (.DS_Store, editor swap files, .git) are not templates: skipped;
- files are read once per process (no auto-reload): what runs is what the start-up check saw.
"""

from functools import cache
from pathlib import Path

from jinja2 import BaseLoader, ChoiceLoader, FileSystemLoader, PackageLoader


def shipped_loader() -> PackageLoader:
    return PackageLoader("infrastructure.messaging", "templates")


def template_loader(templates_dir: str | None) -> BaseLoader:
    """The overrides first: Jinja takes a name from the first loader that has it."""
    if templates_dir is None:
        return shipped_loader()
    return ChoiceLoader([FileSystemLoader(templates_dir), shipped_loader()])


@cache
def shipped_names() -> frozenset[str]:
    """`fr/verify_email.subject.txt`, ...: every shipped file, by the name templates use."""
    return frozenset(shipped_loader().list_templates())


def override_names(templates_dir: str) -> list[str]:
    """The files of `templates_dir`, hidden ones aside, as template names."""
    root = Path(templates_dir)
    names = (path.relative_to(root) for path in root.rglob("*") if path.is_file())
    return sorted(name.as_posix() for name in names if not _hidden(name))


def unknown_overrides(templates_dir: str) -> list[str]:
    return [name for name in override_names(templates_dir) if name not in shipped_names()]


def _hidden(name: Path) -> bool:
    return any(part.startswith(".") for part in name.parts)
