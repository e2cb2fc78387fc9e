"""Walking the case model by field path, in one place: the questionnaire ("prior_treatments[].dose"), CSV
columns ("prior_treatments.0.dose"), the template reference, the notice import and the questions' `case.`
conditions all read the model's shape, read a value and set one through these few functions.
"""

from __future__ import annotations

import re
import types
import typing
from typing import Any, Callable, Union

from pydantic import BaseModel
from pydantic.fields import FieldInfo


def said(path: str) -> str:
    """A field path named to the person ('prior_treatments[2].response'): in English the path itself, what to look
    for in the case file; in another language what the field is, with the path beside it, where the catalog has
    the path as a msgid (a list's position written '[{index}]'; `{number}` counts the entries from 1). The code
    that names a field marks its msgid with N_()."""
    from appeal.base.language import translate

    positions = re.findall(r"\[(\d+)\]", path)
    if len(positions) != 1:
        return translate(path)
    index = int(positions[0])
    return translate(re.sub(r"\[\d+\]", "[{index}]", path)).format(index=index, number=index + 1)


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
        from appeal.cases.case import Case

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


def value_type(path: str) -> Any:
    """The type a value at the path has: the field's own type, or the item type for "x[]"."""
    info = field_at(path)
    if not path.endswith("[]"):
        return plain_type(info.annotation)
    return item_type(path[:-2])


def item_type(path: str) -> Any:
    """The item type of the list field at the path ("prior_treatments" -> PriorTreatment)."""
    item = list_item(field_at(path).annotation)
    if item is None:
        raise TypeError(f"{path} is not a list")
    return item


def get_path(root: Any, path: str) -> Any:
    """The value at "patient.member_id" (None when a section on the way is absent)."""
    value = root
    for part in path.split("."):
        if value is None:
            return None
        value = getattr(value, part)
    return value


def model_rule(owner: BaseModel, name: str, value: Any) -> BaseModel:
    """Assign `value` to `owner.name` on a copy and return the copy: the model's own rule judges the value.

    The model has validate_assignment=True, so this runs the field's type, its validators and the model's own
    cross-field checks (a received date before the notice date). A failed assignment can leave the object half
    changed, which is why it works on a copy: the case itself only ever holds values that passed.
    """
    trial = owner.model_copy()
    setattr(trial, name, value)
    return trial


def set_path(root: BaseModel, path: str, value: Any,
             validator: Callable[[BaseModel, str, Any], BaseModel] | None = model_rule) -> BaseModel:
    """A copy of `root` with the value at `path` set, each model on the way validating its own part (`validator`
    for the last step; None means the model's rule)."""
    name, _, rest = path.partition(".")
    if not rest:
        return (validator or model_rule)(root, name, value)
    child = getattr(root, name)
    if child is None:
        if value is None:
            return root
        child = plain_type(type(root).model_fields[name].annotation)()
    return model_rule(root, name, set_path(child, rest, value, validator))
