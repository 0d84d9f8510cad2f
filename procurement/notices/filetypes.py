"""What a document is, by its bytes (never its name), and whether it may be accepted.

Accepted: PDF (`%PDF-`), and the zip-based office formats by what the zip holds: DOCX and
XLSX by the main part's content type in `[Content_Types].xml` (the macro-enabled DOCM and
XLSM are refused), ODT and ODS by their `mimetype` entry. Pure: bytes in, a type or a
refusal out. Tender documents use it; sealed bids will too.
"""
from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from typing import BinaryIO


@dataclass(frozen=True)
class FileType:
    code: str
    name: str
    content_type: str
    extension: str


TYPES = {t.code: t for t in (
    FileType("pdf", "PDF", "application/pdf", ".pdf"),
    FileType("docx", "Word document (DOCX)",
             "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"),
    FileType("xlsx", "Excel workbook (XLSX)",
             "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"),
    FileType("odt", "OpenDocument text (ODT)", "application/vnd.oasis.opendocument.text", ".odt"),
    FileType("ods", "OpenDocument spreadsheet (ODS)",
             "application/vnd.oasis.opendocument.spreadsheet", ".ods"),
)}
ACCEPTED = "PDF, DOCX, XLSX, ODT or ODS"
_OOXML_MAIN = {
    "docx": b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "xlsx": b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
}
_ODF = {b"application/vnd.oasis.opendocument.text": "odt",
        b"application/vnd.oasis.opendocument.spreadsheet": "ods"}
_SMALL = 1024 * 1024  # a content-types or mimetype entry larger than this is not one


def sniff(data: bytes | BinaryIO) -> FileType | None:
    """The accepted type these bytes are, or None. A seekable file (an upload spooled to
    disk) is read where needed only, never whole, and left at its start."""
    stream = io.BytesIO(data) if isinstance(data, (bytes, bytearray)) else data
    stream.seek(0)
    head = stream.read(5)
    stream.seek(0)
    try:
        return _sniff(head, stream)
    finally:
        stream.seek(0)


def _sniff(head: bytes, stream: BinaryIO) -> FileType | None:
    if head.startswith(b"%PDF-"):
        return TYPES["pdf"]
    if not head.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(stream) as z:
            names = z.namelist()
            if names and names[0] == "mimetype":
                info = z.getinfo("mimetype")
                if info.file_size <= _SMALL:
                    code = _ODF.get(z.read(info).strip())
                    return TYPES[code] if code else None
            if "[Content_Types].xml" in names:
                info = z.getinfo("[Content_Types].xml")
                if info.file_size > _SMALL:
                    return None
                types = z.read(info)
                for code, main in _OOXML_MAIN.items():
                    if main in types:
                        return TYPES[code]
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, NotImplementedError,
            ValueError, EOFError):
        return None
    return None


def document_refusal(filename: str, data: bytes, max_bytes: int) -> str | None:
    """Why this upload cannot be accepted, or None."""
    if not filename or not data:
        return "Choose a file to upload"
    if len(data) > max_bytes:
        return (f"{filename} is {_size(len(data))}: the largest file accepted is "
                f"{_size(max_bytes)}")
    if sniff(data) is None:
        return (f"{filename} is not a {ACCEPTED} file (its content was checked, not its name)")
    return None


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MB".replace(".0 MB", " MB")
    if n >= 10 * 1024:
        return f"{round(n / 1024)} KB"
    if n >= 1024:
        return f"{n / 1024:.1f} KB".replace(".0 KB", " KB")
    return f"{n} bytes"


def download_name(filename: str, file_type: FileType) -> str:
    """The stored name with the extension its content has (a .pdf named .exe is a .pdf)."""
    stem = filename.rsplit(".", 1)[0] if "." in filename else filename
    return (stem or "document") + file_type.extension


def size_text(n: int) -> str:
    """25 MB, 300 KB, 12 bytes."""
    return _size(n)


def clean_filename(name: str) -> str:
    """The name a person gave the file, without folders or control characters."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return name[:255] or "document"


def safe_filename(name: str) -> str:
    """A name safe inside a Content-Disposition header."""
    out = "".join(ch if (ch.isascii() and ch.isalnum()) or ch in " ._()+-" else "-"
                  for ch in name).strip()
    return out or "document"
