"""A bid's uploaded documents, checked before anything is stored: each by its bytes (PDF,
DOCX, XLSX, ODT, ODS: `procurement.notices.filetypes`) and its size (the `document_max_mb`
setting, a file). The upload stays where werkzeug spooled it (a temporary file once large);
it is measured by seeking and sniffed by reading only the parts needed, never read whole.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import BinaryIO

from procurement.notices import filetypes
from procurement.notices.documents import max_bytes

__all__ = ["Upload", "checked", "max_bytes"]


@dataclass
class Upload:
    name: str
    stream: BinaryIO
    kind: filetypes.FileType
    size: int


def _size(stream: BinaryIO) -> int:
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(0)
    return size


def checked(files, limit: int) -> tuple[list[Upload], list[str]]:
    """(uploads, problems) for the files of a request (werkzeug FileStorage). A file input
    left empty sends a part with no name: it is no document."""
    uploads, problems = [], []
    for f in files:
        if f is None or not getattr(f, "filename", ""):
            continue
        name = filetypes.clean_filename(f.filename)
        size = _size(f.stream)
        if size == 0:
            problems.append(f"{name} is empty")
            continue
        if size > limit:
            problems.append(f"{name} is {filetypes.size_text(size)}: the largest file accepted "
                            f"is {filetypes.size_text(limit)}")
            continue
        kind = filetypes.sniff(f.stream)
        if kind is None:
            problems.append(f"{name} is not a {filetypes.ACCEPTED} file (its content was "
                            "checked, not its name)")
            continue
        uploads.append(Upload(name, f.stream, kind, size))
    return uploads, problems
