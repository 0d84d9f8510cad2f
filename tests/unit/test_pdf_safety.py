"""Active content in an uploaded PDF is found (decisions/annexes/pdf_safety.py).

The PDFs are written here byte by byte, so each carries exactly one kind of active content,
also spelt the ways a filter might miss: #-escaped names, and objects inside a compressed
object stream, where only a parser sees them.
"""
from __future__ import annotations

import io
import zlib

import pytest
from reportlab.pdfgen import canvas

from decisions.annexes import pdf_safety
from decisions.annexes.forms import pdf_problem

PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] %s>>"


def raw_pdf(catalog: bytes = b"", page: bytes = b"", extra: dict[int, bytes] | None = None) -> bytes:
    """A one-page PDF with a classic cross-reference table; `catalog` and `page` are added to
    those dictionaries, `extra` objects from 4 on."""
    objects = {1: b"<< /Type /Catalog /Pages 2 0 R " + catalog + b">>",
               2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>", 3: PAGE % page, **(extra or {})}
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, objects[number])
    xref = len(out)
    size = max(objects) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for number in range(1, size):
        out += b"%010d 00000 n \n" % offsets[number] if number in offsets else \
            b"0000000000 65535 f \n"
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref)
    return bytes(out)


def compressed_pdf(catalog: bytes, extra: dict[int, bytes]) -> bytes:
    """The same in PDF 1.5 form: every object inside one compressed object stream, listed by
    a compressed cross-reference stream: no name of them is in the raw bytes."""
    objects = {1: b"<< /Type /Catalog /Pages 2 0 R " + catalog + b">>",
               2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>", 3: PAGE % b"", **extra}
    numbers = sorted(objects)
    body, header = b"", b""
    for number in numbers:
        header += b"%d %d " % (number, len(body))
        body += objects[number] + b" "
    stream_number, xref_number = max(numbers) + 1, max(numbers) + 2
    packed = zlib.compress(header + body)
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    stream_at = len(out)
    out += (b"%d 0 obj\n<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\n"
            b"stream\n" % (stream_number, len(numbers), len(header), len(packed)))
    out += packed + b"\nendstream\nendobj\n"
    xref_at = len(out)
    rows = b"\x00" + b"\x00\x00\x00\x00" + b"\xff\xff"
    for index, _ in enumerate(numbers):
        rows += b"\x02" + stream_number.to_bytes(4, "big") + index.to_bytes(2, "big")
    rows += b"\x01" + stream_at.to_bytes(4, "big") + b"\x00\x00"
    rows += b"\x01" + xref_at.to_bytes(4, "big") + b"\x00\x00"
    packed = zlib.compress(rows)
    out += (b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root 1 0 R /Filter /FlateDecode "
            b"/Length %d >>\nstream\n" % (xref_number, xref_number + 1, len(packed)))
    out += packed + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % xref_at
    return bytes(out)


def reportlab_pdf() -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, invariant=1)
    c.drawString(72, 720, "An equality impact assessment")
    c.linkURL("https://www.example.org/", (72, 700, 300, 720))
    c.showPage()
    c.save()
    return buf.getvalue()


JS_ACTION = b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>"
CASES = {
    "document JavaScript": (raw_pdf(b"/Names << /JavaScript << /Names [(a) 4 0 R] >> >> ",
                                    extra={4: JS_ACTION}), "JavaScript"),
    "OpenAction running JavaScript": (raw_pdf(b"/OpenAction 4 0 R ", extra={4: JS_ACTION}),
                                      "an action run when it opens"),
    "OpenAction inline": (raw_pdf(b"/OpenAction << /S /Launch /F (calc.exe) >> "),
                          "an action run when it opens"),
    "page additional actions": (raw_pdf(page=b"/AA << /O 4 0 R >> ", extra={4: JS_ACTION}),
                                "actions run on events"),
    "Launch link": (raw_pdf(page=b"/Annots [4 0 R] ", extra={
        4: b"<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] /A << /S /Launch "
           b"/F (cmd.exe) >> >>"}), "an action that launches a program"),
    "embedded file": (raw_pdf(b"/Names << /EmbeddedFiles << /Names [(a.exe) 4 0 R] >> >> ",
                              extra={4: b"<< /Type /Filespec /F (a.exe) /EF << /F 5 0 R >> >>",
                                     5: b"<< /Type /EmbeddedFile /Length 2 >>\nstream\nMZ\n"
                                        b"endstream"}), "embedded files"),
    "rich media": (raw_pdf(page=b"/Annots [4 0 R] ", extra={
        4: b"<< /Type /Annot /Subtype /RichMedia /Rect [0 0 9 9] >>"}), "rich media"),
    "XFA form": (raw_pdf(b"/AcroForm << /Fields [] /XFA 4 0 R >> ", extra={
        4: b"<< /Length 7 >>\nstream\n<xdp/>\n\nendstream"}), "an XFA form"),
    "form sending data": (raw_pdf(page=b"/Annots [4 0 R] ", extra={
        4: b"<< /Type /Annot /Subtype /Widget /Rect [0 0 9 9] /A << /S /SubmitForm "
           b"/F (https://x.example) >> >>"}), "a form that sends data"),
    "#-escaped names": (raw_pdf(b"/Open#41ction << /S /J#61vaScript /#4aS (app.alert\\(1\\)) >> "),
                        "JavaScript"),
    "inside a compressed object stream": (compressed_pdf(b"/OpenAction 4 0 R ", {4: JS_ACTION}),
                                          "JavaScript"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_active_content_is_found(case):
    content, kind = CASES[case]
    assert kind in pdf_safety.active_content(content)


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_upload_check_refuses_it_with_a_message(case):
    content, kind = CASES[case]
    message = pdf_problem(content)
    assert message.startswith("The selected PDF has active content (") and kind in message
    assert "save it again as a plain PDF" in message


def test_the_compressed_case_is_found_by_the_parser_not_the_raw_scan():
    content, _ = CASES["inside a compressed object stream"]
    assert b"JavaScript" not in content and b"OpenAction" not in content
    assert list(pdf_safety.parsed_names(content))


def test_the_raw_scan_sees_an_object_no_table_lists():
    """An object outside the cross-reference table (a reader that rebuilds a damaged table
    finds it by scanning, as this does)."""
    content = raw_pdf().replace(b"%%EOF", b"9 0 obj\n<< /S /JavaScript /JS (x) >>\nendobj\n%%EOF")
    assert "JavaScript" in set(pdf_safety.raw_names(content))


@pytest.mark.parametrize("content", [
    raw_pdf(), reportlab_pdf(),
    raw_pdf(b"/OpenAction [3 0 R /Fit] "),  # where it opens (LibreOffice writes this)
    raw_pdf(page=b"/Annots [4 0 R] ", extra={  # an ordinary link
        4: b"<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] /A << /S /URI "
           b"/URI (https://www.example.org/) >> >>"}),
    raw_pdf(page=b"/Contents 4 0 R ", extra={  # /JS in a content stream's data is not a key
        4: b"<< /Length 24 >>\nstream\n/JS gs /AA Do /Launch x\nendstream"}),
])
def test_plain_documents_pass(content):
    assert pdf_safety.active_content(content) == []
    assert pdf_problem(content) is None


def test_the_projects_own_annex_pdfs_pass():
    from decisions.annexes.pdf import render_dpia, render_eia
    from demo.note_sample import DPIA, EIA, demo_note_data

    data = demo_note_data()
    for content in (render_eia(EIA, data), render_dpia(DPIA, data)):
        assert pdf_safety.active_content(content) == []


def test_a_pdf_pypdf_cannot_walk_is_unreadable():
    with pytest.raises(pdf_safety.Unreadable):
        pdf_safety.active_content(b"%PDF-1.7\nnot really")
