"""The one walker over probe data (and inputs) that the forged-data tests share."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

__all__ = ["Path", "places", "value_at"]

#: Where a value stands in nested data: the keys and indices that lead to it.
Path = tuple[Any, ...]


def places(data: Any, path: Path = ()) -> Iterator[tuple[Path, Any]]:
    """(path, value) of ``data`` itself and of every dict value and list or tuple item inside it,
    depth first, each container before what it holds."""
    yield path, data
    if isinstance(data, dict):
        for key, value in data.items():
            yield from places(value, (*path, key))
    elif isinstance(data, (list, tuple)):
        for i, value in enumerate(data):
            yield from places(value, (*path, i))


def value_at(data: Any, path: Path) -> Any:
    """The value at ``path`` in ``data``."""
    for key in path:
        data = data[key]
    return data
