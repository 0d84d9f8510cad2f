"""Active content in an uploaded PDF: what a viewer could run or open, found before it is kept.

An annex goes into the decision pack that approvers open and that is published; it must be
a document, nothing more. Refused: JavaScript (/JavaScript, /JS), actions run on opening or
on events (/OpenAction other than a plain destination, /AA), actions that open or send
things (/Launch, /GoToR, /GoToE, /SubmitForm, /ImportData), embedded files (/EmbeddedFile,
/EmbeddedFiles, /EF), rich media (/RichMedia) and XFA forms (/XFA). Links (/URI) are kept.

Two looks, so that a file one parser reads differently from another does not slip through:
pypdf's, over every object of the cross-reference table (compressed object streams too) and
everything reachable from the trailer, with names decoded (/J#61vaScript is /JavaScript);
and a scan of the raw bytes outside stream data, with #-escapes decoded, which also sees
objects no table lists. Pure: no Flask, no ORM.
"""
from __future__ import annotations

import io
import re
import warnings

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

ACTIVE = {
    "JavaScript": "JavaScript", "JS": "JavaScript",
    "OpenAction": "an action run when it opens", "AA": "actions run on events",
    "Launch": "an action that launches a program", "GoToR": "a link that opens another file",
    "GoToE": "a link into an embedded file", "SubmitForm": "a form that sends data",
    "ImportData": "a form that imports data",
    "EmbeddedFile": "embedded files", "EmbeddedFiles": "embedded files", "EF": "embedded files",
    "RichMedia": "rich media", "XFA": "an XFA form",
}
MAX_OBJECTS = 200_000  # a 10 MB PDF has far fewer; more is refused as unreadable
_STREAM = re.compile(rb"stream(?:\r\n|\r|\n).*?endstream", re.DOTALL)
_NAME = re.compile(rb"/([^\x00\t\n\x0c\r /<>\[\]()%{}]+)")
_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_OPEN_DESTINATION = re.compile(rb"/OpenAction\s*\[")


class Unreadable(Exception):
    """The PDF cannot be walked (damaged, or too many objects)."""


def active_content(content: bytes) -> list[str]:
    """The kinds of active content in the PDF, described for people, first found first;
    [] when there is none. `Unreadable` when pypdf cannot walk it."""
    found = dict.fromkeys(raw_names(content))
    found.update(dict.fromkeys(parsed_names(content)))
    return list(dict.fromkeys(ACTIVE[name] for name in found))


def problem(content: bytes) -> str | None:
    """The refusal, one line, or None."""
    kinds = active_content(content)
    if not kinds:
        return None
    listed = ", ".join(kinds[:-1]) + (" and " if len(kinds) > 1 else "") + kinds[-1]
    return (f"The selected PDF has active content ({listed}), which could run when it is "
            "opened: save it again as a plain PDF (for example with Print to PDF) and upload "
            "that file")


def _decode(name: bytes) -> str:
    return _ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), name).decode("latin-1")


def raw_names(content: bytes):
    outside = _STREAM.sub(b" ", content)
    for match in _NAME.finditer(outside):
        name = _decode(match.group(1))
        if name in ACTIVE:
            if name == "OpenAction" and _OPEN_DESTINATION.match(outside, match.start()):
                continue  # /OpenAction [page /Fit]: where it opens, not an action
            yield name


def parsed_names(content: bytes):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            reader = PdfReader(io.BytesIO(content), strict=False)
            roots = [reader.trailer]
            roots += [IndirectObject(num, gen, reader)
                      for gen, numbers in reader.xref.items() for num in numbers]
            roots += [IndirectObject(num, 0, reader) for num in reader.xref_objStm]
            yield from _walk(roots)
        except Unreadable:
            raise
        except Exception as exc:  # noqa: BLE001 - pypdf raises many kinds on damaged files
            raise Unreadable(str(exc)) from exc


def _walk(stack: list):
    seen: set[tuple[int, int]] = set()
    visited = 0
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            key = (obj.idnum, obj.generation)
            if key in seen:
                continue
            seen.add(key)
            obj = obj.get_object()
        visited += 1
        if visited > MAX_OBJECTS:
            raise Unreadable("too many objects")
        if isinstance(obj, DictionaryObject):  # streams too
            for key, value in obj.items():
                name = str(key)[1:]
                if name in ACTIVE and not (name == "OpenAction" and isinstance(
                        value.get_object() if value is not None else None, ArrayObject)):
                    yield name
                if isinstance(value, NameObject) and str(value)[1:] in ACTIVE:
                    yield str(value)[1:]  # /S /JavaScript, /Type /EmbeddedFile
                stack.append(value)
        elif isinstance(obj, ArrayObject):
            stack.extend(obj)
