"""Reading a council's data files (forms, workflows): the house style of their errors.

A file that breaks a rule stops start-up with a message naming the file and the place in
it (`sections[2].questions[4].show_if`, `teams.lado.outcomes[2].moves_to`), so a council
editing it finds its mistake at once. Each reader subclasses DataReader with its error.
"""

from typing import Any


class DataReader:
    """Reads one file, keeping the path to where it is for the error message."""

    error: type[Exception] = ValueError

    def __init__(self, name: str) -> None:
        self.name = name

    def fail(self, where: str, message: str) -> Exception:
        return self.error(
            f"{self.name}: {where}: {message}" if where else f"{self.name}: {message}"
        )

    def mapping(
        self, value: Any, where: str, allowed: set[str], required: set[str]
    ) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(where, "must be a mapping of keys to values")
        unknown = set(value) - allowed
        if unknown:
            raise self.fail(where, f"unknown key(s) {', '.join(sorted(map(str, unknown)))}")
        missing = required - set(value)
        if missing:
            raise self.fail(where, f"missing {', '.join(sorted(missing))}")
        return value
