"""Problems found in a script, named by file and node so a supervisor can find and fix them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    file: str
    node: str | None
    message: str

    def __str__(self) -> str:
        if self.node is None:
            return f"{self.file}: {self.message}"
        return f"{self.file}: node '{self.node}': {self.message}"


class ScriptError(Exception):
    """A script that must not be used. `problems` lists every problem found, not just the first."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
