"""The minimum tender period (the built-in table the timeline module replaces at merge) and a
document's type by its bytes."""
import io
import zipfile
from datetime import date, datetime, timedelta
from types import SimpleNamespace

import pytest

from procurement.notices import filetypes
from procurement.notices.periods import minimum_tender_deadline


@pytest.mark.parametrize("regime,electronic,days", [
    ("PCR2015-OPEN", True, 30), ("PCR2015-OPEN", False, 35),
    ("PCR2015-RESTRICTED", True, 25), ("PCR2015-RESTRICTED", False, 30),
    ("PA2023-OPEN", True, 25), ("PA2023-OPEN", False, 30), ("PA2023-CFP", True, 25),
])
def test_the_minimum_period_counts_days_from_the_day_sent(regime, electronic, days):
    earliest, basis = minimum_tender_deadline(
        SimpleNamespace(regime=regime, electronic_submission=electronic), date(2031, 1, 1))
    assert earliest == datetime(2031, 1, 1) + timedelta(days=days) and f"{days} days" in basis


def test_light_touch_has_no_number_and_electronic_is_the_default():
    assert minimum_tender_deadline(SimpleNamespace(regime="PCR2015-LTR"), date(2031, 1, 1)) == (
        None, "PCR 2015 reg. 76: a reasonable period, no minimum number of days")
    earliest, _ = minimum_tender_deadline(SimpleNamespace(regime="PA2023-OPEN"), date(2031, 1, 1))
    assert earliest == datetime(2031, 1, 26)


def ooxml(main: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", f'<Types><Override PartName="/x.xml" ContentType="{main}"/></Types>')
        z.writestr("x.xml", "<x/>")
    return buf.getvalue()


def odf(mimetype: str, first: bool = True) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        if not first:
            z.writestr("content.xml", "<x/>")
        z.writestr(zipfile.ZipInfo("mimetype"), mimetype)
        z.writestr("content.xml" if first else "styles.xml", "<x/>")
    return buf.getvalue()


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"


@pytest.mark.parametrize("data,code", [
    (b"%PDF-1.7\n...", "pdf"),
    (ooxml(DOCX), "docx"),
    (ooxml(XLSX), "xlsx"),
    (odf("application/vnd.oasis.opendocument.text"), "odt"),
    (odf("application/vnd.oasis.opendocument.spreadsheet"), "ods"),
])
def test_accepted_types_are_known_by_their_bytes(data, code):
    assert filetypes.sniff(data).code == code


@pytest.mark.parametrize("data", [
    b"MZ\x90\x00 an executable", b"<html>%PDF-</html>", b"PK\x03\x04 not really a zip",
    ooxml("application/vnd.ms-word.document.macroEnabled.main+xml"),  # DOCM: macros
    odf("application/vnd.oasis.opendocument.presentation"),
    odf("application/vnd.oasis.opendocument.text", first=False),  # mimetype not first
    b"",
])
def test_anything_else_is_refused(data):
    assert filetypes.sniff(data) is None


def test_refusals_name_the_file_and_say_why():
    assert filetypes.document_refusal("a.pdf", b"%PDF-1.4" + b"x" * 100, 50) == \
        "a.pdf is 108 bytes: the largest file accepted is 50 bytes"
    assert "not a PDF, DOCX, XLSX, ODT or ODS file" in filetypes.document_refusal(
        "spec.pdf", b"MZ", 1000)
    assert filetypes.document_refusal("", b"", 10) == "Choose a file to upload"
    assert filetypes.document_refusal("spec.docx", ooxml(DOCX), 10_000) is None
    assert filetypes.size_text(25 * 1024 * 1024) == "25 MB"


def test_the_download_name_has_the_extension_its_content_has():
    assert filetypes.download_name("spec.exe", filetypes.TYPES["pdf"]) == "spec.pdf"
    assert filetypes.clean_filename("C:\\Users\\me\\spec\x00.pdf") == "spec.pdf"
    assert filetypes.safe_filename('a"b;c.pdf') == "a-b-c.pdf"
    # a header is latin-1 on the wire (gunicorn refuses more): one name-maker, ASCII only
    assert filetypes.safe_filename("Łódź report.pdf") == "--d- report.pdf"
