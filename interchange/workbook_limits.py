"""A workbook's container, bounded before openpyxl reads it: hostile files are refused cheaply.

An .xlsx file is a zip of XML parts. openpyxl trusts it: a 160 KB file whose one cell unpacks
to 150 MB, a million empty rows, a `<dimension>` of A1:XFD1048576 (every row padded to 16,384
cells) or ten million nested elements all cost it memory or minutes before any rule of ours
runs. `container_problem` looks first, streaming, in constant memory:

1. the file's size, and the number of parts from the zip's end record (before `zipfile`
   builds an object per part);
2. each part's declared unpacked size and their total, from the central directory (Python's
   `zipfile`, which openpyxl uses too, never unpacks more than a part declares: a part that
   lies is cut short and fails its CRC);
3. every XML part, unpacked a megabyte at a time and scanned as bytes (C-speed searches, no
   XML parser): no DTD (entity expansion), UTF-8 only, no text or tag longer than
   `VALUE_BYTES`, a bounded number of elements; in a worksheet the rows (counted, and the
   row numbers openpyxl would use), the cells, the columns (cell references and the
   `<dimension>` element) and the elements of each row; in the shared strings the strings
   and the elements of each.

It returns the refusal as one line naming the limit, or None. Pure: no Flask, no ORM.
"""
from __future__ import annotations

import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from typing import Mapping

MB = 1024 * 1024
CHUNK = MB
# The longest run of bytes between two "<" (a text node or a tag). Excel holds at most
# 32,767 characters in a cell; in UTF-8 with entities (&amp;) that is at most about 5 bytes
# each, so a longer run is never a cell Excel wrote.
VALUE_BYTES = 256 * 1024
CELL_CHARACTERS = 32767
PART_ELEMENTS = 500_000  # a part openpyxl parses whole (styles, workbook, theme, …)
EDGE_ELEMENTS = 500_000  # a worksheet before its first row / from its last row on
STRING_ELEMENTS = 65_536  # one shared string (rich text runs)
ELEMENTS_PER_CELL = 16  # a row's elements: 16 per allowed column, and some for the row
NOT_A_WORKBOOK = "not-a-workbook"


@dataclass(frozen=True)
class Limits:
    """The bounds, all settings (config.py): defaults fit a 203,000-score tender (bench.py)."""
    max_mb: int = 50  # the file itself
    max_unpacked_mb: int = 500  # all its parts unpacked
    max_parts: int = 1000
    max_rows: int = 400_000  # per sheet
    max_columns: int = 200  # per sheet
    max_cells: int = 4_000_000  # in the whole workbook


def limits_from_config(config: Mapping) -> Limits:
    """The limits from the app's configuration (WORKBOOK_MAX_*), defaults where unset."""
    names = {"max_mb": "WORKBOOK_MAX_MB", "max_unpacked_mb": "WORKBOOK_MAX_UNPACKED_MB",
             "max_parts": "WORKBOOK_MAX_PARTS", "max_rows": "WORKBOOK_MAX_ROWS",
             "max_columns": "WORKBOOK_MAX_COLUMNS", "max_cells": "WORKBOOK_MAX_CELLS"}
    return Limits(**{field: int(config[key]) for field, key in names.items()
                     if config.get(key) is not None})


class Refused(Exception):
    """The file is refused; the message says why and names the limit."""


def container_problem(handle, limits: Limits = Limits()) -> str | None:
    """Why the workbook in the seekable binary `handle` must not be read, or None.

    NOT_A_WORKBOOK when it is no zip at all (the caller has its own message for that).
    The handle is left at its start."""
    try:
        _check(handle, limits)
    except Refused as refusal:
        return f"The workbook was not read: {refusal}"
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError,
            ValueError, OSError):
        return NOT_A_WORKBOOK
    finally:
        handle.seek(0)
    return None


def _check(handle, limits: Limits) -> None:
    size = handle.seek(0, 2)
    if size > limits.max_mb * MB:
        raise Refused(f"the file is larger than the {limits.max_mb:,} MB allowed")
    parts = _declared_parts(handle, size)
    if parts is not None and parts > limits.max_parts:
        raise Refused(f"it has {parts:,} parts inside; a workbook may have at most "
                      f"{limits.max_parts:,}")
    handle.seek(0)
    with zipfile.ZipFile(handle) as archive:
        infos = archive.infolist()
        if len(infos) > limits.max_parts:  # the end record was missing or understated
            raise Refused(f"it has {len(infos):,} parts inside; a workbook may have at most "
                          f"{limits.max_parts:,}")
        allowed = limits.max_unpacked_mb * MB
        total = 0
        for info in infos:
            total += info.file_size
            if info.file_size > allowed or total > allowed:
                raise Refused(f"it unpacks to more than {limits.max_unpacked_mb:,} MB "
                              f"(the most a workbook may unpack to)")
        names = _sheet_names(archive)
        cells = [0]
        for info in infos:
            if not info.is_dir():
                _scan(archive, info, names.get(info.filename), limits, cells)


def _declared_parts(handle, size: int) -> int | None:
    """The number of parts the zip's end record declares (zip64 too), or None."""
    tail = min(size, 22 + 65535 + 20)
    handle.seek(size - tail)
    data = handle.read(tail)
    at = data.rfind(b"PK\x05\x06")
    if at < 0 or len(data) - at < 22:
        return None
    count = struct.unpack("<H", data[at + 10:at + 12])[0]
    locator = at - 20
    if count == 0xFFFF and locator >= 0 and data[locator:locator + 4] == b"PK\x06\x07":
        offset = struct.unpack("<Q", data[locator + 8:locator + 16])[0]
        if offset + 56 <= size:
            handle.seek(offset)
            record = handle.read(56)
            if record[:4] == b"PK\x06\x06":
                count = struct.unpack("<Q", record[32:40])[0]
    return count


def _sheet_names(archive: zipfile.ZipFile) -> dict[str, str]:
    """Part name -> sheet name, read from the small workbook part and its relationships
    with regular expressions (no XML parser yet), for messages; {} when they are odd."""
    def small(name: str) -> str:
        try:
            info = archive.getinfo(name)
        except KeyError:
            return ""
        if info.file_size > MB:
            return ""
        return archive.read(info).decode("utf-8", "replace")

    attr = r'\b{}\s*=\s*["\']([^"\']*)["\']'
    targets = {}
    for tag in re.findall(r"<(?:\w+:)?Relationship\b[^>]*>", small("xl/_rels/workbook.xml.rels")):
        rid, target = re.search(attr.format("Id"), tag), re.search(attr.format("Target"), tag)
        if rid and target:
            path = target.group(1)
            targets[rid.group(1)] = path.lstrip("/") if path.startswith("/") else "xl/" + path
    names = {}
    for tag in re.findall(r"<(?:\w+:)?sheet\b[^>]*>", small("xl/workbook.xml")):
        name, rid = re.search(attr.format("name"), tag), re.search(r'\b\w+:id\s*=\s*["\']([^"\']*)', tag)
        if name and rid and rid.group(1) in targets:
            names[targets[rid.group(1)]] = name.group(1).replace("&amp;", "&")
    return names


_ROOT = re.compile(rb"<([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)")
_ROW_NUMBER = re.compile(rb"""\sr\s*=\s*["']([^"']*)["']""")
# r="…" as Excel and openpyxl write it (a fast literal search), and any other spelling of
# the attribute (spaces, single quotes), for which the general expression runs instead
_PLAIN_REF = rb'r="\$?([A-Za-z]{%d,3})\$?[0-9]'
_ANY_REF = rb"""\sr\s*=\s*["']\s*\$?([A-Za-z]{%d,3})\$?[0-9]"""
_ODD_ATTRIBUTE = re.compile(rb"""r[\t\n\r =]['\t\n\r =]""")
_DIMENSION_REF = rb"""dimension\b[^>]*?\sref\s*=\s*["']([^"']*)["']"""
_END = b" \t\r\n>/"  # what may follow an element's name
_BLOCK = VALUE_BYTES // 2  # a run longer than VALUE_BYTES covers a whole block this long


def _column(letters: bytes) -> int:
    number = 0
    for ch in letters.upper():
        number = number * 26 + ch - 64
    return number


class _Part:
    """The running counts of one XML part, fed its unpacked bytes in chunks.

    Each chunk is cut at its last "<": the bytes before hold only whole tags, the rest is
    carried into the next chunk. Rows (or shared strings) are the pieces between their start
    tags; a row's elements are bounded, so are its cells, its cell references and the rows."""

    def __init__(self, label: str, limits: Limits, cells: list[int]):
        self.label, self.limits, self.cells = label, limits, cells
        self.carry = b""
        self.kind = None  # "worksheet", "strings" or "part", once the root element is seen
        self.elements = 0
        self.segment = 0  # elements of the current row (worksheet) or string (strings)
        self.segment_cells = 0  # cells of the current row, counted once it is long
        self.segments = 0  # rows or strings so far
        self.row = 0  # openpyxl's row counter: a row's r, or the one before it plus one
        self.row_elements = ELEMENTS_PER_CELL * limits.max_columns + 64
        self.after_rows = False  # past </sheetData>: what follows is bounded as a whole

    def feed(self, data: bytes) -> None:
        buf = self.carry + data if self.carry else data
        cut = buf.rfind(b"<")
        if cut <= 0:  # nothing complete yet: one run goes on
            self.carry = buf
            if len(buf) > VALUE_BYTES:
                self._long()
            return
        body, self.carry = buf[:cut], buf[cut:]
        if len(self.carry) > VALUE_BYTES:
            self._long()
        self._runs(body)
        if _DTD.search(body):
            raise Refused(f"{self.label} declares a DTD (entities), which no workbook needs")
        self.elements += body.count(b"<")
        if self.kind is None:
            self._root(body)
        if self.kind in (None, "part"):
            if self.elements > PART_ELEMENTS:
                raise Refused(f"{self.label} has more than {PART_ELEMENTS:,} elements")
        else:
            self._segments(body)

    def _runs(self, body: bytes) -> None:
        """No run between two "<" longer than VALUE_BYTES: one search per block."""
        for start in range(0, len(body), _BLOCK):
            end = min(start + _BLOCK, len(body))
            if end - start == _BLOCK and body.find(b"<", start, end) < 0:
                before = body.rfind(b"<", 0, start)
                after = body.find(b"<", end)
                if (after if after >= 0 else len(body)) - max(before, 0) > VALUE_BYTES:
                    self._long()

    def _long(self):
        raise Refused(f"{self.label} has a value longer than a cell can hold "
                      f"({CELL_CHARACTERS:,} characters)")

    def _root(self, body: bytes) -> None:
        match = _ROOT.search(body)
        if match is None:
            return
        prefix, name = match.group(1) or b"", match.group(2)
        self.kind = {b"worksheet": "worksheet", b"sst": "strings"}.get(name, "part")
        self.token = b"<" + prefix + (b"row" if self.kind == "worksheet" else b"si")
        self.rows_end = b"</" + prefix + b"sheetData"
        self.cell_tokens = tuple(b"<" + prefix + b"c" + bytes([ch]) for ch in _END)
        self.dimension = re.compile(b"<" + re.escape(prefix) + _DIMENSION_REF)
        fewest = 1 if self.limits.max_columns < 26 else 2  # letters of a column too far
        self.plain_ref = re.compile(_PLAIN_REF % fewest)
        self.any_ref = re.compile(_ANY_REF % fewest)

    def _segments(self, body: bytes) -> None:
        """Rows (or shared strings): split at their start tags, counted and bounded."""
        limits, worksheet = self.limits, self.kind == "worksheet"
        wide = limits.max_columns
        if self.after_rows:
            self.segment += body.count(b"<")
            if self.segment > EDGE_ELEMENTS:
                raise Refused(f"{self.label} has more than {EDGE_ELEMENTS:,} elements after "
                              "its rows")
            return
        rows_end = body.find(self.rows_end) if worksheet else -1
        tail = b""
        if rows_end >= 0:
            body, tail = body[:rows_end], body[rows_end:]
        pieces = body.split(self.token)
        self.segment += pieces[0].count(b"<")
        if worksheet and self.segment > wide:
            self.segment_cells += sum(pieces[0].count(t) for t in self.cell_tokens)
        for piece in pieces[1:]:
            if not piece or piece[:1] not in _END:  # <rowBreaks>, <sia…>: not a start tag
                self.segment += piece.count(b"<") + 1
                continue
            self._close_segment()
            self.segments += 1
            self.segment = elements = piece.count(b"<") + 1
            if not worksheet:
                continue
            if piece.startswith(b' r="'):  # as Excel writes it
                end = piece.find(b'"', 4)
                number = piece[4:end]
            else:
                end = piece.find(b">")
                found = _ROW_NUMBER.search(piece, 0, end if end >= 0 else len(piece))
                number = found.group(1) if found else None
            try:
                self.row = int(number) if number is not None else self.row + 1
            except ValueError:
                self.row += 1  # openpyxl fails on it too: the reader reports a damaged sheet
            if self.row > limits.max_rows or self.segments > limits.max_rows:
                raise Refused(f"{self.label} has more than {limits.max_rows:,} rows "
                              f"(the most a sheet may have)")
            if elements > wide:  # a long row: count its cells exactly
                self.segment_cells += sum(piece.count(t) for t in self.cell_tokens)
        if rows_end >= 0:  # the last row is complete: the rest is bounded as a whole
            self._close_segment()
            self.after_rows, self.segment = True, 0
            self._segments(tail)
        if worksheet:
            self._cells(body)
        elif self.segments > limits.max_cells:
            raise Refused(f"{self.label} holds more than {limits.max_cells:,} strings, more "
                          f"than the {limits.max_cells:,} cells a workbook may have")

    def _close_segment(self) -> None:
        if self.segments == 0:
            bound, what = EDGE_ELEMENTS, "before its first row"
        elif self.kind == "worksheet":
            bound, what = self.row_elements, f"in row {self.row:,}"
        else:
            bound, what = STRING_ELEMENTS, f"in string {self.segments:,}"
        if self.segment > bound:
            raise Refused(f"{self.label} has more than {bound:,} elements {what}")
        self._row_cells()
        self.segment_cells = 0

    def _row_cells(self) -> None:
        if self.kind == "worksheet" and self.segment_cells > self.limits.max_columns:
            raise Refused(f"{self.label} has more than {self.limits.max_columns:,} cells in "
                          f"row {self.row:,}: a sheet may have at most "
                          f"{self.limits.max_columns:,} columns")

    def _cells(self, body: bytes) -> None:
        limits = self.limits
        self.cells[0] += sum(body.count(t) for t in self.cell_tokens)
        if self.cells[0] > limits.max_cells:
            raise Refused(f"it has more than {limits.max_cells:,} cells (the most a "
                          f"workbook may have)")
        refs = self.any_ref if _ODD_ATTRIBUTE.search(body) else self.plain_ref
        for match in refs.finditer(body):
            if _column(match.group(1)) > limits.max_columns:
                raise Refused(f"{self.label} has a cell in column {match.group(1).decode()}"
                              f": a sheet may have at most {limits.max_columns:,} columns")
        dimension = self.dimension.search(body)
        if dimension:
            self._dimension(dimension.group(1).decode("ascii", "replace"))

    def _dimension(self, ref: str) -> None:
        """openpyxl pads every row to the dimension's width and its row count."""
        limits = self.limits
        for corner in ref.split(":"):
            found = re.fullmatch(r"\s*\$?([A-Za-z]*)\$?([0-9]*)\s*", corner)
            if not found:
                continue
            letters, digits = found.groups()
            if letters and _column(letters.encode()) > limits.max_columns:
                raise Refused(f"{self.label} spans columns to {letters} (its dimension "
                              f"{ref}): a sheet may have at most {limits.max_columns:,} columns")
            if digits and int(digits) > limits.max_rows:
                raise Refused(f"{self.label} spans {int(digits):,} rows (its dimension "
                              f"{ref}): a sheet may have at most {limits.max_rows:,} rows")

    def close(self) -> None:
        """The last row (or string) and whatever follows it, at the end of the part."""
        self.segment += self.carry.count(b"<")
        self.elements += self.carry.count(b"<")
        if self.kind in (None, "part"):
            if self.elements > PART_ELEMENTS:
                raise Refused(f"{self.label} has more than {PART_ELEMENTS:,} elements")
            return
        if self.after_rows or not self.segments:
            bound, what = EDGE_ELEMENTS, "outside its rows" if self.after_rows else "in all"
        elif self.kind == "worksheet":  # no </sheetData>: the last row went on to the end
            bound, what = self.row_elements, f"in row {self.row:,}"
        else:
            bound, what = STRING_ELEMENTS, f"in string {self.segments:,}"
        if self.segment > bound:
            raise Refused(f"{self.label} has more than {bound:,} elements {what}")
        self._row_cells()


def _scan(archive: zipfile.ZipFile, info: zipfile.ZipInfo, sheet: str | None,
          limits: Limits, cells: list[int]) -> None:
    if sheet:
        label = f'sheet "{sheet}"'
    elif info.filename.endswith("sharedStrings.xml"):
        label = "its shared strings part"
    else:
        label = f"its part {info.filename}"
    with archive.open(info) as member:
        first = member.read(CHUNK)
        start = first.lstrip(b"\xef\xbb\xbf \t\r\n")
        if first[:2] in (b"\xff\xfe", b"\xfe\xff") or start[:2] in (b"<\x00", b"\x00<") \
                or first[:4] in (b"\x00\x00\xfe\xff",):
            raise Refused(f"{label} is not in UTF-8, as every workbook's parts are")
        if start and not start.startswith(b"<"):
            return  # not XML (an image, a printer setting): openpyxl does not parse it
        part = _Part(label, limits, cells)
        data = first
        while data:
            part.feed(data)
            data = member.read(CHUNK)
        part.close()
