"""Plan types as data: what each kind of coverage changes (appeal/data/plan_types.yaml).

A plan type decides the member-ID label, the steps of a dispute, the regulator, whether letters argue parity, when
a mailed notice is presumed to arrive and which words in a notice show it. All of that is read here, so the code
asks a plan type's data instead of naming plan types, and a new plan type is an entry in the data file (and its
name in the case model's PlanType). This module reads no case: a plan type's name is its key.

    of(plan_type)   -> the data of that plan type; `other`'s (the general rules) when none is given
    all_plan_types() -> every plan type's data by name, in the data file's order
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, model_validator

from appeal.base.resources import load_data

UNKNOWN = "other"  # the plan type of a case that names none: the general rules


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MemberId(_Data):
    """What the card's member number is called: in the letter and on the cover sheet, and on a page's stamp."""

    label: str = "Member ID"
    short: str = "Member ID"


class DisputeStep(_Data):
    """One step of a dispute: a step name of rules.yaml, in plain words, and what the request is called."""

    step: str
    name: str
    title: str = "Appeal"


class NoticeCue(_Data):
    """Words in a denial notice that show the plan type, with how strongly; `unsure` says why the answer needs
    checking even when it is the strongest; `letterhead` cues are searched in the letter's first lines read
    together (who sent the letter), not line by line."""

    weight: int
    pattern: str
    unsure: str | None = None
    letterhead: bool = False


class OwnWords(_Data):
    """Words that name a document or office of this plan type and of no other (`what` says it in plain words)."""

    pattern: str
    what: str


class PlanTypeData(_Data):
    """One plan type's entry in plan_types.yaml (its header documents each field)."""

    name: str
    label: str
    family: Literal["employer", "individual", "medicare", "medicaid", "fehb", "tricare", "va", "other"]
    member_id: MemberId = MemberId()
    parity_law: Literal["reaches", "outside", "not_argued"]
    presumed_mail_days: int | None = None
    regulator: str | None = None
    no_regulator: str | None = None
    steps: tuple[DisputeStep, ...]
    notice_cues: tuple[NoticeCue, ...] = ()
    own_words: tuple[OwnWords, ...] = ()

    @model_validator(mode="after")
    def _one_regulator_route(self) -> PlanTypeData:
        if (self.regulator is None) == (self.no_regulator is None):
            raise ValueError(f"plan type {self.name}: give either `regulator` or `no_regulator`, not both or neither")
        return self

    @property
    def group_plan(self) -> bool:
        """An employer's group health plan (ERISA), whose card carries a group number."""
        return self.family == "employer"

    @property
    def argues_parity(self) -> bool:
        """Letters make the parity point only where the parity law reaches the plan."""
        return self.parity_law == "reaches"


@lru_cache(maxsize=1)
def all_plan_types() -> dict[str, PlanTypeData]:
    """Every plan type's data, by name, in the order of the data file (the order that breaks a tie in a notice)."""
    return {name: PlanTypeData(name=name, **entry) for name, entry in load_data("plan_types.yaml").items()}


def of(plan_type: str | None) -> PlanTypeData:
    """The data of a plan type (a PlanType or its name); a plan type not given counts as `other`."""
    return all_plan_types()[plan_type or UNKNOWN]
