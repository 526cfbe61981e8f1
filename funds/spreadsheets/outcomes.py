"""What checking a file found: one outcome per valid row (new, changed or unchanged, with its
outliers), and issues."""

from dataclasses import dataclass, field

from .cells import show

STATUS_NEW, STATUS_CHANGED, STATUS_UNCHANGED = "new", "changed", "unchanged"


@dataclass
class Change:
    column: str
    old: object
    new: object

    @property
    def old_text(self) -> str:
        return show(self.old)

    @property
    def new_text(self) -> str:
        return show(self.new)


@dataclass
class RowOutlier:
    """A figure of a row more than five times, or under a fifth of, the association's last year's
    (the rule of services.figure_outliers): a warning the importer confirms, not an error."""

    line: int
    code: str
    tier: str
    name: str
    year: int
    column: str
    previous: int
    value: int

    @property
    def previous_text(self) -> str:
        return show(self.previous)

    @property
    def value_text(self) -> str:
        return show(self.value)


@dataclass
class RowOutcome:
    """One valid row of a preview: new, changed or unchanged, with its changes (old → new)."""

    line: int
    code: str
    tier: str
    name: str
    year: int
    label: str
    status: str
    changes: list[Change] = field(default_factory=list)
    outliers: list[RowOutlier] = field(default_factory=list)


@dataclass
class RowIssue:
    """Why a row (or the file, when `line` is None) cannot be imported."""

    line: int | None
    column: str
    message: str
