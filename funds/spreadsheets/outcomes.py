"""What checking a file found: one outcome per valid row (new, changed or unchanged), and issues."""

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


@dataclass
class RowIssue:
    """Why a row (or the file, when `line` is None) cannot be imported."""

    line: int | None
    column: str
    message: str
