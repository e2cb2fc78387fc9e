"""The rating scales as data (appeal/data/scales.yaml): each scale's range, and what counts as a response and as
remission where a primary source defines them. The case model checks a score against its range here; the
clinical facts (appeal.rules.clinical.score_courses) judge response and remission from the same definitions."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from appeal.base.language import translate as _
from appeal.base.letter_language import translate as L_
from appeal.base.resources import load_data


@dataclass(frozen=True)
class Scale:
    """One scale: its highest total, and its response and remission definitions with their source."""

    name: str
    maximum: float | None = None
    response_reduction: float | None = None
    remission_at_most: float | None = None
    remission_below: float | None = None
    source: str | None = None
    citation: str | None = None  # the short form a letter prints

    @property
    def defines_outcomes(self) -> bool:
        return self.response_reduction is not None and (self.remission_at_most is not None
                                                         or self.remission_below is not None)

    def remitted(self, value: float) -> bool:
        if self.remission_at_most is not None:
            return value <= self.remission_at_most
        return self.remission_below is not None and value < self.remission_below

    @property
    def remission_text(self) -> str:
        """'12 or less' / 'below 5': the remission threshold as a letter says it (in the letter's language)."""
        return self._remission(L_("{number} or less"), L_("below {number}"))

    @property
    def remission_said(self) -> str:
        """The remission threshold as `appeal check` tells the person (in the person's language)."""
        return self._remission(_("{number} or less"), _("below {number}"))

    def _remission(self, at_most: str, below: str) -> str:
        if self.remission_at_most is not None:
            return at_most.format(number=f"{self.remission_at_most:g}")
        return below.format(number=f"{self.remission_below:g}") if self.remission_below is not None else ""

    @property
    def remission_line(self) -> float | None:
        """Where a chart draws the remission threshold: the highest score that still counts as remission."""
        if self.remission_at_most is not None:
            return self.remission_at_most
        return self.remission_below - 1 if self.remission_below is not None else None


@lru_cache(maxsize=1)
def all_scales() -> dict[str, Scale]:
    data = load_data("scales.yaml")["scales"]
    return {name: Scale(name, **{key: value for key, value in entry.items() if key != "checked"})
            for name, entry in data.items()}


def get(instrument: str) -> Scale:
    return all_scales().get(str(instrument), Scale(str(instrument)))
