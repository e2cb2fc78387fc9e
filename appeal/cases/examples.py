"""The bundled example cases (appeal/examples/*.yaml): realistic starting points, and the test fixtures."""

from __future__ import annotations

from appeal.base.errors import UserError
from appeal.base.resources import examples_folder


def catalog() -> dict[str, str]:
    """Example name -> its one-line summary (the file's first comment line)."""
    found = {}
    for path in sorted(examples_folder().glob("*.yaml")):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        found[path.stem] = first.lstrip("# ").strip()
    return found


def text(name: str) -> str:
    path = examples_folder() / f"{name}.yaml"
    if not path.is_file():
        raise UserError(f"There is no example '{name}'. The examples are: {', '.join(catalog())}.")
    return path.read_text(encoding="utf-8")
