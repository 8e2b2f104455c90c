"""One exception type whose message is a single line a reader can act on."""

from __future__ import annotations


class DataError(ValueError):
    """Bad input: names the file, the row (as an editor shows it; the header is line 1), the column and the rule."""

    def __init__(self, file: str, rule: str, *, row: int | str | None = None, column: str | None = None,
                 value: object = None) -> None:
        self.file, self.rule, self.row, self.column, self.value = file, rule, row, column, value
        where = [f"line {row}" if row is not None else "", f"column '{column}'" if column is not None else ""]
        if hasattr(value, "item"):  # numpy/pandas scalar -> plain Python value for the message
            value = value.item()
        shown = "" if value is None else f" (got {value!r})"
        super().__init__(f"{', '.join([str(file), *(w for w in where if w)])}: {rule}{shown}")


class ParameterError(ValueError):
    """A notebook parameter that cannot be used; the message lists the valid choices."""
