"""Who oversees a plan: the regulator a complaint goes to, by plan type (each plan type's `regulator:` in
appeal/data/plan_types.yaml) and state (the agencies in appeal/data/regulators.yaml).

A self-funded employer plan answers to the U.S. Department of Labor (EBSA), an insured or Marketplace plan to its
state's insurance department, Medicare Advantage and Part D plans to Medicare, Medicaid to the state Medicaid
agency, FEHB to OPM. Each agency carries the page its details were confirmed on; a mailing address is given only
where the agency's own page shows it, otherwise the letter points to the agency's complaint page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from appeal.base.resources import load_data
from appeal.cases import plan_types
from appeal.cases.case import Case

STATE_KINDS = ("state_insurance", "state_medicaid")


@dataclass(frozen=True)
class Agency:
    """A regulator as a letter addresses it."""

    id: str
    name: str
    url: str
    source_url: str
    checked: date
    verified: str
    attention: str | None = None
    address: tuple[str, ...] = ()
    phone: str | None = None
    note: str | None = None
    looked_up: bool = False  # True for a directory entry: the state's own office is to be found there
    lines: tuple[str, ...] = ()  # the address block: name, attention, mailing address (or, without one, the web page)

    def __str__(self) -> str:
        return self.name


def _agency(key: str, data: dict, looked_up: bool = False) -> Agency:
    heading = [data["name"]] + ([data["attention"]] if data.get("attention") else [])
    lines = heading + (list(data["address"]) if data.get("address") else [f"Online: {data['url']}"])
    return Agency(
        id=key, name=data["name"], url=data["url"], source_url=data["source_url"], checked=data["checked"],
        verified=" ".join(str(data["verified"]).split()), attention=data.get("attention"),
        address=tuple(data.get("address") or ()), phone=data.get("phone"),
        note=" ".join(data["note"].split()) if data.get("note") else None, looked_up=looked_up, lines=tuple(lines),
    )


@lru_cache(maxsize=1)
def _data() -> dict:
    return load_data("regulators.yaml")


def all_agencies() -> list[Agency]:
    """Every agency in the data file, with its id ('ebsa', 'CA state_insurance', 'directory state_medicaid')."""
    data = _data()
    found = [_agency(key, value) for key, value in data["federal"].items()]
    found += [_agency(f"directory {key}", value, True) for key, value in data["directory"].items()]
    for state, kinds in data["states"].items():
        found += [_agency(f"{state} {key}", value) for key, value in kinds.items()]
    return found


def for_case(case: Case) -> Agency | None:
    """The regulator of this case's plan, or None when the plan type has none (see `why_none`)."""
    data = _data()
    target = case.insurance.coverage().regulator
    if target is None:
        return None
    if target not in STATE_KINDS:
        return _agency(target, data["federal"][target])
    state = case.insurance.state
    listed = data["states"].get(state or "", {}).get(target)
    if listed:
        return _agency(f"{state} {target}", listed)
    return _agency(f"directory {target}", data["directory"][target], looked_up=True)


def why_none(case: Case) -> str:
    """Why a plan of this type has no regulator to write to (for a plan type that has one, `other`'s sentence)."""
    why = case.insurance.coverage().no_regulator or plan_types.of(None).no_regulator or ""
    return " ".join(why.split())
