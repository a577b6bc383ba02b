"""URL converters shared by every face."""

from __future__ import annotations

from werkzeug.routing import IntegerConverter

from fedi.ids import MAX_ID


class RowIdConverter(IntegerConverter):
    """Flask's `<int:...>` for ids: a number past what a 64-bit id column holds becomes 0, which
    names no row (the view answers 404 as for any unknown id), instead of reaching a query the
    database driver refuses. (Refusing it in the converter would make the router answer 405.)"""

    def to_python(self, value: str) -> int:
        number = super().to_python(value)
        return number if number <= MAX_ID else 0
