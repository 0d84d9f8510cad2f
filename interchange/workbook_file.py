"""A tender workbook file read whole or written whole (tender-workbook.md)."""
from __future__ import annotations

from interchange.workbook import ParsedTender, WorkbookError, gc_paused
from interchange.workbook_limits import Limits
from interchange.workbook_read import read
from interchange.workbook_write import write


def read_workbook(source, limits: Limits = Limits()
                  ) -> tuple[ParsedTender | None, list[WorkbookError]]:
    """(tender, []) or (None, every error found). `source` is a path or a binary file; a
    file beyond `limits` is refused before it is parsed."""
    with gc_paused():
        return read(source, limits)


def write_workbook(tender: ParsedTender, path) -> None:
    """Writes the contract's sheets so that the file imports back to identical results."""
    write(tender, path)
