"""Walking the case model by field path, in one place: the questionnaire ("prior_treatments[].dose"), CSV
columns ("prior_treatments.0.dose"), the template reference and the questions' `case.` conditions all read the
model's shape through these few functions.
"""

from __future__ import annotations

import types
import typing
from typing import Any, Union

from pydantic import BaseModel
from pydantic.fields import FieldInfo


def plain_type(annotation: Any) -> Any:
    """`X | None` -> X; `Annotated[X, ...]` -> X."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
            continue
        if origin in (Union, types.UnionType):
            args = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
            if len(args) == 1:
                annotation = args[0]
                continue
        return annotation


def list_item(annotation: Any) -> Any | None:
    """The (plain) item type of a list field, or None when the field is not a list."""
    annotation = plain_type(annotation)
    return plain_type(typing.get_args(annotation)[0]) if typing.get_origin(annotation) is list else None


def as_model(annotation: Any) -> type[BaseModel] | None:
    """The model a field holds (a section), or None for a plain value."""
    annotation = plain_type(annotation)
    return annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None


def field_at(path: str, root: type[BaseModel] | None = None) -> FieldInfo:
    """The FieldInfo at "denial.notice_date", "prior_treatments[].dose" or "enclosures[]" ("x[]" steps into the
    items of the list x). Raises KeyError for a name the model does not have, TypeError for "[]" on a non-list."""
    if root is None:
        from appeal.case import Case

        root = Case
    model: Any = root
    info: FieldInfo | None = None
    for part in path.split("."):
        fields = getattr(model, "model_fields", None)
        if fields is None:
            raise KeyError(part)
        if part.endswith("[]"):
            info = fields[part[:-2]]
            model = list_item(info.annotation)
            if model is None:
                raise TypeError(f"{part[:-2]} is not a list")
        else:
            info = fields[part]
            model = plain_type(info.annotation)
    if info is None:
        raise KeyError(path)
    return info
