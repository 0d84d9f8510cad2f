"""`make bench`: the tender workbook and results at scale (issue 3, point 9). Not a test.

Writes a synthetic workbook of 50 lots x 20 bids x 30 criteria (one of them price) x 7
evaluators (about 200,000 score rows) and prints, in one run: openpyxl's own read of it,
`tender import` (in a fresh process, on a fresh SQLite database after `db upgrade`), their
ratio, the results of all lots (from the database, and the engine alone) and the import's
peak memory, two pages of one lot, and the open data of issue 12 (publishing notices, the
public list, the OCDS feed, a 50-lot award notice). Small functions, so more timings can be
added beside them.


Then the hostile workbooks of issue 10 (`hostile_workbook`): a 150 MB cell packed into
about 150 KB, and a million rows; `tender import` of each, in a fresh process, must refuse
it costing under 300 MB above the process's idle memory.
"""
from __future__ import annotations

import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from decimal import Decimal

LOTS, BIDS, CRITERIA, EVALUATORS = (int(os.environ.get(f"BENCH_{name}", default)) for name, default
                                    in (("LOTS", 50), ("BIDS", 20), ("CRITERIA", 30),
                                        ("EVALUATORS", 7)))  # smaller to try the bench out
REFERENCE = "BENCH-2025"
TARGETS = {"ratio": 2.0, "results": 0.5, "memory_mib": 1024, "page": 0.3,
           "publish": 1.0, "feed": 1.0, "award_content": 1.0, "refusal_mib": 300}
OPEN_DATA_PROCUREMENTS = 200


def synthetic_tender(lots=LOTS, bids=BIDS, criteria=CRITERIA, evaluators=EVALUATORS):
    """A valid tender: per lot one price criterion (42) and scored ones of 2 each (58)."""
    from interchange.workbook import (BidRow, ConsensusRow, CriterionRow, LotRow,
                                     ParsedTender, PartnerRow, ScoreRow)

    rnd = random.Random(2025)
    tender = ParsedTender(reference=REFERENCE, title="Synthetic benchmark tender",
                          organisation="Benchmark Commissioner's Office", regime="PA2023-OPEN",
                          initial_term_years=3, extension_years=[1, 1], min_delphi=40)
    suppliers = [f"Supplier {n:03d} Ltd" for n in range(bids * 3)]
    for lot_no in range(lots):
        code = f"L{lot_no + 1:02d}"
        tender.lots.append(LotRow(code, f"Service area {lot_no + 1}", Decimal("250000.50")))
        scored = [f"Q{n:02d}" for n in range(1, criteria)]
        tender.criteria.append(CriterionRow(code, "P1", "Value for Money", "Price",
                                            Decimal(42), "price"))
        for n, crit in enumerate(scored):
            tender.criteria.append(CriterionRow(
                code, crit, "Quality" if n < 20 else "Interview", f"Question {crit}",
                Decimal(2), "scored", Decimal(5), Decimal(1) if n == 0 else None))
        panel = [f"Evaluator {(lot_no + e) % 20 + 1:02d}" for e in range(evaluators)]
        for bidder in rnd.sample(suppliers, bids):
            tender.bids.append(BidRow(code, bidder, Decimal(rnd.randint(150000, 260000)),
                                      delphi_score=rnd.randint(30, 95), financial="pass"))
            for crit in scored:
                marks = [rnd.randint(1, 5) for _ in panel]
                tender.scores += [ScoreRow(code, bidder, crit, who, Decimal(mark),
                                           f"Evidence for {crit} reviewed.")
                                  for who, mark in zip(panel, marks)]
                tender.consensus.append(ConsensusRow(
                    code, bidder, crit, Decimal(round(sum(marks) / len(marks) * 2)) / 2,
                    "Agreed at moderation."))
    tender.partners = [PartnerRow("Benchmark Commissioner's Office",
                                  sum(lot.annual_value for lot in tender.lots))]
    return tender


def write_synthetic(path: str) -> tuple[int, float]:
    from interchange.workbook_file import write_workbook

    tender = synthetic_tender()
    started = time.perf_counter()
    write_workbook(tender, path)
    return len(tender.scores), time.perf_counter() - started


def time_openpyxl(path: str) -> dict:
    """openpyxl alone, read-only mode, every row of every sheet: the floor for an import."""
    import openpyxl

    started, cpu = time.perf_counter(), time.process_time()
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    for sheet in book.worksheets:
        for _row in sheet.iter_rows(values_only=True):
            pass
    book.close()
    return {"seconds": time.perf_counter() - started, "cpu": time.process_time() - cpu}


def _environment(folder: str) -> dict:
    return dict(os.environ, DATABASE_URL=f"sqlite:///{folder}/bench.db",
                TENDER_INSTANCE=folder, FLASK_DEBUG="0")


def upgrade_database(folder: str) -> None:
    flask = os.path.join(os.path.dirname(sys.executable), "flask")
    subprocess.run([flask, "--app", "app", "db", "upgrade"], env=_environment(folder),
                   check=True, capture_output=True)


def time_import(path: str, folder: str) -> dict:
    """`tender import` in its own process, so its peak memory is the import's alone."""
    done = subprocess.run([sys.executable, "-m", "bench", "--import", path],
                          env=_environment(folder), check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _import_here(path: str) -> None:
    """Child process: runs the command as the CLI does and reports time and peak memory."""
    from app import app

    runner = app.test_cli_runner()
    started, cpu = time.perf_counter(), time.process_time()
    result = runner.invoke(args=["tender", "import", path])
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    if result.exit_code != 0:
        sys.exit(f"import failed: {result.output}{result.exception!r}")
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    print(json.dumps({"seconds": seconds, "cpu": cpu, "peak_mib": peak_kib / 1024}))


def time_results(folder: str) -> dict:
    """All lots' results: read from the database and computed, and the engine alone."""
    from app import create_app
    from evaluation.results import engine
    from evaluation.results.inputs import lot_inputs, procurement_results
    from procurement.access import find_procurement

    app = create_app()
    with app.app_context():
        procurement = find_procurement(REFERENCE)
        started = time.perf_counter()
        results = procurement_results(procurement)
        with_db = time.perf_counter() - started
        inputs = lot_inputs(procurement)
        started = time.perf_counter()
        for lot in inputs:
            engine.compute_lot(lot)
        alone = time.perf_counter() - started
    return {"with_db": with_db, "engine": alone, "lots": len(results)}


def time_pages(folder: str, runs: int = 5) -> dict:
    """One lot's moderation and results pages through the full request, as an officer sees
    them (20 bids x 30 criteria x 7 evaluators): the median of `runs` requests each."""
    from statistics import median

    from accounts.models import User
    from app import create_app
    from procurement.access import find_procurement
    from extensions import db

    app = create_app()
    with app.app_context():
        procurement = find_procurement(REFERENCE)
        from werkzeug.security import generate_password_hash

        officer = User(email="bench.officer@example.org", name="Bench Officer", roles="officer",
                       organisation_id=procurement.organisation_id,
                       password_hash=generate_password_hash(PASSWORD))
        db.session.add(officer)
        db.session.commit()
        lot = procurement.lots[0].code
    client = app.test_client()
    # signed in as a browser is (a session is a revocable row, not just a cookie)
    import re
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"',
                      client.get("/login").get_data(as_text=True)).group(1)
    client.post("/login", data={"email": "bench.officer@example.org", "password": PASSWORD,
                                "csrf_token": token})
    timings = {}
    for page in ("moderation", "results"):
        url = f"/evaluation/{REFERENCE}/lots/{lot}/{page}"
        seconds = []
        for _ in range(runs + 1):  # the first request warms template caches
            started = time.perf_counter()
            response = client.get(url)
            seconds.append(time.perf_counter() - started)
            if response.status_code != 200:
                sys.exit(f"{url} answered {response.status_code}")
        timings[page] = median(seconds[1:])
    return timings


def time_open_data(folder: str, runs: int = 5) -> dict:
    """Issue 12 at scale: publishing a contract notice (content, PDF, audit), the public list
    of opportunities over OPEN_DATA_PROCUREMENTS published ones, a page of 100 releases of the
    OCDS feed, and building the contract award notice of the 50-lot tender (its results)."""
    from datetime import datetime, timedelta
    from statistics import median

    import clock
    from app import create_app
    from evaluation.models import Criterion
    from extensions import cache, db
    from procurement.access import find_procurement
    from procurement.models import Lot, Procurement, TimelineDate
    from procurement.notices.models import Notice
    from publication import content, service

    app = create_app()
    publish_seconds = []
    with app.app_context():
        bench = find_procurement(REFERENCE)
        deadline = datetime.combine(clock.today() + timedelta(days=40), datetime.min.time())
        for n in range(OPEN_DATA_PROCUREMENTS):
            p = Procurement(reference=f"OPEN-{n:04d}", title=f"Open data service {n}",
                            description="Outreach services.", regime="PA2023-OPEN",
                            organisation_id=bench.organisation_id, initial_term_years=3,
                            cpv_codes="85312000-9", state="draft")
            lot = Lot(code="A", title="Outreach", annual_value=Decimal("100000"), position=1)
            lot.criteria = [Criterion(code="Q1", section="Quality", title="Quality",
                                      weight=Decimal(60), kind="scored", max_score=Decimal(5)),
                            Criterion(code="P1", section="Price", title="Price",
                                      weight=Decimal(40), kind="price")]
            p.lots.append(lot)
            p.dates.append(TimelineDate(kind="tender_deadline", at=deadline, with_time=False))
            db.session.add(p)
            db.session.flush()
            notice, _ = service.draft(p, "UK4", actor="bench")
            started = time.perf_counter()
            problems = service.publish(p, notice, actor="bench")
            db.session.commit()
            publish_seconds.append(time.perf_counter() - started)
            if problems:
                sys.exit(f"publishing failed: {problems}")
        started = time.perf_counter()
        award = Notice(procurement_id=bench.id, kind="UK6")
        built = content.build(bench, award)
        award_content = time.perf_counter() - started
        db.session.rollback()
    client = app.test_client()
    timings = {"publish": median(publish_seconds), "award_content": award_content,
               "award_lots": len(built["awards"])}
    for name, url in (("list", "/opportunities?status=all"), ("feed", "/ocds/releases.json")):
        seconds = []
        for _ in range(runs + 1):
            with app.app_context():
                cache.clear()  # the page drawn each time, not its server-side copy
            started = time.perf_counter()
            response = client.get(url)
            seconds.append(time.perf_counter() - started)
            if response.status_code != 200:
                sys.exit(f"{url} answered {response.status_code}")
        timings[name] = median(seconds[1:])
    return timings


_MAIN = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_TYPE = b"application/vnd.openxmlformats-officedocument.spreadsheetml."
HOSTILE_PARTS = {  # a minimal workbook, as Excel lays it out: one sheet, shared strings
    "[Content_Types].xml":
        b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        b'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        b'<Override PartName="/xl/workbook.xml" ContentType="' + _TYPE + b'sheet.main+xml"/>'
        b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="' + _TYPE
        + b'worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="' + _TYPE
        + b'sharedStrings+xml"/></Types>',
    "_rels/.rels":
        b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId1" Type="' + _REL + b'/officeDocument" Target="xl/workbook.xml"/>'
        b'</Relationships>',
    "xl/workbook.xml":
        b'<workbook xmlns="' + _MAIN + b'" xmlns:r="' + _REL + b'"><sheets>'
        b'<sheet name="Scores" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels":
        b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId1" Type="' + _REL + b'/worksheet" Target="worksheets/sheet1.xml"/>'
        b'<Relationship Id="rId2" Type="' + _REL + b'/sharedStrings" Target="sharedStrings.xml"/>'
        b'</Relationships>',
}
_HEADER = ("lot", "bidder", "criterion", "evaluator", "score", "comment")


def hostile_workbook(path: str, kind: str = "cell", size: int = 150) -> None:
    """A small .xlsx whose "Scores" sheet is hostile once unpacked.

    kind "cell": one comment (a shared string, as Excel keeps text) of `size` MB of one
    repeated letter, which deflate packs about 1000:1; "rows": `size` x 10,000 rows of one
    cell each (size=100: a million rows)."""
    import zipfile

    header = b"".join(b'<c r="%s1" t="s"><v>%d</v></c>' % (b"ABCDEF"[i:i + 1], i)
                      for i in range(len(_HEADER)))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for name, content in HOSTILE_PARTS.items():
            target.writestr(name, content)
        with target.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as out:
            out.write(b'<worksheet xmlns="' + _MAIN + b'"><sheetData><row r="1">' + header
                      + b"</row>")
            if kind == "cell":
                out.write(b'<row r="2"><c r="A2" t="s"><v>0</v></c>'
                          b'<c r="F2" t="s"><v>6</v></c></row>')
            elif kind == "rows":
                for start in range(2, size * 10_000 + 2, 10_000):
                    out.write(b"".join(b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (n, n)
                                       for n in range(start, start + 10_000)))
            else:
                raise ValueError(kind)
            out.write(b"</sheetData></worksheet>")
        with target.open("xl/sharedStrings.xml", "w", force_zip64=True) as out:
            out.write(b'<sst xmlns="' + _MAIN + b'">' + b"".join(
                b"<si><t>%s</t></si>" % name.encode() for name in _HEADER) + b"<si><t>")
            block = b"A" * (1024 * 1024)
            for _ in range(size if kind == "cell" else 0):
                out.write(block)
            out.write(b"</t></si></sst>")


def _memory_kib(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def _refuse_here(path: str) -> None:
    """Child process: `tender import` of a hostile workbook; its cost above idle memory."""
    from app import app
    import interchange.workbook_file  # noqa: F401 - openpyxl loaded, as in a warm worker

    runner = app.test_cli_runner()
    try:  # the peak so far is forgotten (Linux 4.0+), so the peak below is the refusal's
        with open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")
    except OSError:
        pass
    idle = _memory_kib("VmRSS")
    started = time.perf_counter()
    result = runner.invoke(args=["tender", "import", path])
    seconds = time.perf_counter() - started
    peak = max(_memory_kib("VmHWM"), _memory_kib("VmRSS"))
    print(json.dumps({"exit_code": result.exit_code, "output": result.output.strip(),
                      "seconds": seconds, "idle_mib": idle / 1024,
                      "above_idle_mib": (peak - idle) / 1024}))


def time_refusal(path: str, folder: str | None = None) -> dict:
    """`tender import` of a hostile workbook in its own process: its answer, time, memory."""
    env = _environment(folder) if folder else dict(os.environ)
    done = subprocess.run([sys.executable, "-m", "bench", "--refuse", path], env=env,
                          check=True, capture_output=True, text=True,
                          cwd=os.path.dirname(os.path.abspath(__file__)))
    return json.loads(done.stdout.strip().splitlines()[-1])


def hostile(folder: str) -> list[str]:
    """The hostile workbooks' lines of the report."""
    lines = []
    for kind, size, what in (("cell", 150, "one cell of 150 MB"),
                             ("rows", 100, "1,000,000 rows")):
        path = os.path.join(folder, f"hostile-{kind}.xlsx")
        hostile_workbook(path, kind, size)
        got = time_refusal(path, folder)
        refused = got["exit_code"] == 1 and "was not read" in got["output"]
        ok = refused and got["above_idle_mib"] < TARGETS["refusal_mib"]
        lines.append(f"hostile workbook, {what} ({os.path.getsize(path) / 1024:,.0f} KB): "
                     f"{'refused' if refused else 'NOT REFUSED'} in {got['seconds']:.2f} s, "
                     f"{got['above_idle_mib']:.0f} MiB above idle "
                     f"({'meets' if ok else 'MISSES'} target < {TARGETS['refusal_mib']} MiB)")
        lines.append(f"    {got['output']}")
    return lines


def report(rows: int, wrote: float, read: dict, imported: dict, results: dict,
           pages: dict, open_data: dict | None = None) -> str:
    # CPU time too: on a shared machine other processes stretch wall time unevenly.
    ratio = imported["seconds"] / read["seconds"]
    cpu_ratio = imported["cpu"] / read["cpu"]
    ok = {"ratio": ratio <= TARGETS["ratio"], "cpu": cpu_ratio <= TARGETS["ratio"],
          "results": results["with_db"] < TARGETS["results"],
          "engine": results["engine"] < TARGETS["results"],
          "memory": imported["peak_mib"] < TARGETS["memory_mib"],
          # pages under their own keys: the results page must not hide the results' figure
          **{f"page_{page}": seconds < TARGETS["page"] for page, seconds in pages.items()}}

    def mark(flag):
        return "meets target" if flag else "MISSES target"

    return "\n".join([
        f"Synthetic workbook: {LOTS} lots x {BIDS} bids x {CRITERIA} criteria x "
        f"{EVALUATORS} evaluators = {rows:,} score rows (written in {wrote:.1f} s)",
        f"openpyxl read (read-only, all rows):  {read['seconds']:8.2f} s "
        f"({read['cpu']:.2f} s CPU)",
        f"tender import:                        {imported['seconds']:8.2f} s "
        f"({imported['cpu']:.2f} s CPU)",
        f"ratio import / read:                  {ratio:8.2f}   ({mark(ok['ratio'])} <= 2); "
        f"CPU time {cpu_ratio:.2f} ({mark(ok['cpu'])})",
        f"results of all {results['lots']} lots (database + engine): "
        f"{results['with_db']:.3f} s   ({mark(ok['results'])} < 0.5 s)",
        f"results of all {results['lots']} lots (engine alone):     {results['engine']:.3f} s   "
        f"({mark(ok['engine'])} < 0.5 s)",
        f"peak memory of the import:            {imported['peak_mib']:8.0f} MiB "
        f"({mark(ok['memory'])} < 1024 MiB)",
        *(f"{page} page of one lot (median of 5):  {seconds * 1000:8.0f} ms   "
          f"({mark(ok['page_' + page])} < 300 ms)" for page, seconds in pages.items()),
        *(_open_data_lines(open_data, mark) if open_data else []),
    ])


def _open_data_lines(d: dict, mark) -> list[str]:
    n = OPEN_DATA_PROCUREMENTS
    return [
        f"publish a tender notice (median of {n}):  {d['publish'] * 1000:6.0f} ms   "
        f"({mark(d['publish'] < TARGETS['publish'])} < 1 s)",
        f"/opportunities, {n} published (median of 5): {d['list'] * 1000:6.0f} ms   "
        f"({mark(d['list'] < TARGETS['page'])} < 300 ms)",
        f"/ocds/releases.json, 100 releases (median of 5): {d['feed'] * 1000:6.0f} ms   "
        f"({mark(d['feed'] < TARGETS['feed'])} < 1 s)",
        f"contract award notice content, {d['award_lots']} lots: {d['award_content']:.3f} s   "
        f"({mark(d['award_content'] < TARGETS['award_content'])} < 1 s)",
    ]


# ---- issue 15: the large tender through a served app (gunicorn, 2 workers) ------------------

SERVED_TARGETS = [  # (name, target seconds), in the order
    ("lot results page", 0.3), ("lot moderation page", 0.3), ("audit page", 0.3),
    ("procurement page", 0.3), ("evaluation overview", 0.3),
    ("decision note page, before sending", 0.3), ("decision note page, after sending", 0.3),
    ("sign-off page, after sending", 0.3), ("decision-note send", 2.0),
    ("decision note PDF (all lots)", 1.5),
    ("workbook export through the browser: the request", 30.0),
    ("workbook upload of the scores through the browser: the request", 30.0),
]
THROUGHPUT_TARGET = 0.15
PASSWORD = "Bench-password-2025!"


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(folder: str, target: str, port: int, cwd: str) -> subprocess.Popen:
    env = dict(_environment(folder), PYTHONPATH=cwd)
    process = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", "2", "-b",
                                f"127.0.0.1:{port}", "--timeout", "120", target], cwd=cwd,
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import urllib.request

    for _ in range(600):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5)
            return process
        except Exception as err:  # noqa: BLE001 - not up yet, or an answer that is not 200
            if getattr(err, "code", None):
                return process
            time.sleep(0.2)
    process.terminate()
    sys.exit(f"{target} did not start")


def _prepare_people(folder: str, finalise: bool = False) -> None:
    """An officer and one approver per role with a password; or (`finalise`) every lot's
    results made final, as before sending the note."""
    from werkzeug.security import generate_password_hash

    import clock
    from accounts.models import APPROVER_ROLES, User
    from app import create_app
    from extensions import db
    from procurement.access import find_procurement

    app = create_app()
    with app.app_context():
        p = find_procurement(REFERENCE)
        if finalise:  # and the narrative a note is sent with (an empty one is refused)
            from decisions.note.service import get_or_create_note

            for lot in p.lots:
                lot.results_final_at = clock.utcnow()
            note = get_or_create_note(p)
            note.narrative = dict(note.narrative or {}, summary="Award every lot as ranked.",
                                  recommendation="Approve the award of every lot.")
        else:
            digest = generate_password_hash(PASSWORD)
            for role in ("officer", *APPROVER_ROLES):
                db.session.add(User(email=f"served.{role}@example.org", name=f"Bench {role}",
                                    roles=role, organisation_id=p.organisation_id,
                                    password_hash=digest))
        db.session.commit()


class _Browser:
    """A signed-in browser: a cookie jar and the CSRF token of the page it read."""

    def __init__(self, base: str, email: str | None = None):
        import http.cookiejar
        import urllib.request

        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar),
                                                  _NoRedirect)
        if email:
            token = self.token("/login")
            self.post("/login", {"email": email, "password": PASSWORD, "csrf_token": token})

    def token(self, path: str) -> str:
        import re

        body = self.get(path)[1].decode()
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', body).group(1)

    def get(self, path: str) -> tuple[int, bytes, dict]:
        return self._open(path)

    def post(self, path: str, fields: dict, files: dict | None = None):
        import urllib.parse

        if files:
            boundary = "----bench2025"
            parts = []
            for name, value in fields.items():
                parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"'
                             f"\r\n\r\n{value}\r\n".encode())
            for name, (filename, content) in files.items():
                parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                             f'filename="{filename}"\r\nContent-Type: application/octet-stream'
                             "\r\n\r\n".encode() + content + b"\r\n")
            data = b"".join(parts) + f"--{boundary}--\r\n".encode()
            kind = f"multipart/form-data; boundary={boundary}"
        else:
            data, kind = urllib.parse.urlencode(fields).encode(), "application/x-www-form-urlencoded"
        return self._open(path, data, {"Content-Type": kind})

    def _open(self, path, data=None, headers=None):
        import urllib.error
        import urllib.request

        request = urllib.request.Request(self.base + path, data=data, headers=headers or {})
        try:
            with self.opener.open(request, timeout=600) as response:
                return response.status, response.read(), dict(response.headers)
        except urllib.error.HTTPError as err:
            return err.code, err.read(), dict(err.headers)


import urllib.request as _urllib_request  # noqa: E402


class _NoRedirect(_urllib_request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _timed(browser: _Browser, path: str, runs: int = 3) -> float:
    from statistics import median

    seconds = []
    for _ in range(runs + 1):  # the first warms the worker
        started = time.perf_counter()
        status, _body, _headers = browser.get(path)  # noqa: F841
        seconds.append(time.perf_counter() - started)
        if status != 200:  # said in the report, and the run goes on
            FAILURES.append(f"{path} answered {status} {_headers.get('Location', '')}")
            return float("inf")
    return median(seconds[1:])


FAILURES: list[str] = []


def _send_here() -> None:
    """Child process: `decision-note send` as the CLI runs it, timed around the command."""
    from app import app

    runner = app.test_cli_runner()
    started = time.perf_counter()
    result = runner.invoke(args=["decision-note", "send", REFERENCE])
    seconds = time.perf_counter() - started
    if result.exit_code != 0:
        sys.exit(f"send failed: {result.output}{result.exception!r}")
    print(json.dumps({"seconds": seconds}))


def _results_here() -> None:
    """Child process: `tender results REF --format json` as the CLI runs it, timed."""
    from app import app

    runner = app.test_cli_runner()
    started = time.perf_counter()
    result = runner.invoke(args=["tender", "results", REFERENCE, "--format", "json"])
    seconds = time.perf_counter() - started
    if result.exit_code != 0:
        sys.exit(f"tender results failed: {result.output}{result.exception!r}")
    lots = json.loads(result.output)["lots"]
    print(json.dumps({"seconds": seconds, "unmoderated": sum(
        1 for lot in lots if not all(b["moderated"] for b in lot["bids"]))}))


def time_unmoderated(folder: str) -> dict:
    """`tender results` with half the lots unmoderated (their consensus deleted, so the
    engine takes the means of 101,500 individual scores), in a fresh process, on a copy."""
    import shutil
    import sqlite3

    copy = os.path.join(folder, "unmoderated")
    os.makedirs(copy, exist_ok=True)
    shutil.copy(os.path.join(folder, "bench.db"), os.path.join(copy, "bench.db"))
    with sqlite3.connect(os.path.join(copy, "bench.db")) as c:
        c.execute("DELETE FROM consensus WHERE bid_id IN (SELECT bid.id FROM bid JOIN lot "
                  "ON lot.id = bid.lot_id WHERE lot.position >= ?)", (LOTS - LOTS // 2,))
        scores = c.execute("SELECT count(*) FROM score JOIN bid ON bid.id = score.bid_id "
                           "JOIN lot ON lot.id = bid.lot_id WHERE lot.position >= ?",
                           (LOTS - LOTS // 2,)).fetchone()[0]
    done = subprocess.run([sys.executable, "-m", "bench", "--results"],
                          cwd=os.path.dirname(os.path.abspath(__file__)),
                          env=_environment(copy), check=True, capture_output=True, text=True)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]), scores=scores)


def _job_seconds(browser: _Browser, location: str) -> tuple[float, str]:
    path = location.replace(browser.base, "")
    started = time.perf_counter()
    while time.perf_counter() - started < 900:
        status = json.loads(browser.get(path + "/status.json")[1])
        if status["finished"]:
            return time.perf_counter() - started, status["state"]
        time.sleep(0.5)
    return time.perf_counter() - started, "unfinished"


def time_decision_jobs(officer: _Browser) -> dict:
    """The letters page of the large tender (each letter's state from its data's digest,
    none drawn), and its decision pack as a job: the request (its 303), then the job."""
    out = {"letters page": _timed(officer, f"/procurements/{REFERENCE}/letters")}
    started = time.perf_counter()
    status, _b, headers = officer.get(f"/procurements/{REFERENCE}/decision-note/pack.pdf")
    out["decision note PDF (all lots)"] = time.perf_counter() - started
    out["pack job"] = (_job_seconds(officer, headers.get("Location", "")) if status == 303
                       else (0.0, f"answered {status} in the request"))
    return out


def _throughput(base: str, path: str, cookie: str | None, seconds: float = 10,
                clients: int = 32) -> float:
    import threading
    import urllib.request

    done, stop = [0] * clients, time.perf_counter() + seconds

    def client(n):
        headers = {"Cookie": cookie} if cookie else {}
        while time.perf_counter() < stop:
            with urllib.request.urlopen(urllib.request.Request(base + path, headers=headers),
                                        timeout=60) as response:
                response.read()
            done[n] += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(done) / (time.perf_counter() - started)


def time_public(base: str) -> float:
    """Requests a second for /opportunities signed out under 32 clients: after the first,
    each is its aggregate queries and the page kept against their ETag (issue 15, point 3)."""
    return _throughput(base, "/opportunities", None)


def time_served(folder: str, workbook: str) -> dict:
    """The issue's table: each page through gunicorn (2 workers) as the officer sees it, the
    send, the PDF, the export and the upload through the browser (the request, then the
    job), and throughput against a bare Flask page on the same workers."""
    here = os.path.dirname(os.path.abspath(__file__))
    _prepare_people(folder)
    port = _free_port()
    server = _serve(folder, "app:create_app()", port, here)
    consumer = subprocess.Popen([os.path.join(os.path.dirname(sys.executable), "huey_consumer"),
                                 "app.huey", "--workers", "1"], cwd=here,
                                env=dict(_environment(folder), PYTHONPATH=here),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    out: dict = {}
    try:
        base = f"http://127.0.0.1:{port}"
        officer = _Browser(base, "served.officer@example.org")
        lot = "L01"
        out["lot results page"] = _timed(officer, f"/evaluation/{REFERENCE}/lots/{lot}/results")
        out["lot moderation page"] = _timed(officer,
                                            f"/evaluation/{REFERENCE}/lots/{lot}/moderation")
        out["audit page"] = _timed(officer, f"/procurements/{REFERENCE}/audit")
        out["procurement page"] = _timed(officer, f"/procurements/{REFERENCE}")
        out["evaluation overview"] = _timed(officer, f"/evaluation/{REFERENCE}")
        out["decision note page, before sending"] = _timed(
            officer, f"/procurements/{REFERENCE}/decision-note")
        started = time.perf_counter()
        status, _b, headers = officer.get(f"/evaluation/{REFERENCE}/workbook.xlsx")
        out["workbook export through the browser: the request"] = time.perf_counter() - started
        out["export job"] = (_job_seconds(officer, headers.get("Location", ""))
                             if status == 302 else (0.0, f"answered {status} in the request"))
        token = officer.token(f"/evaluation/{REFERENCE}/upload")
        with open(workbook, "rb") as f:
            content = f.read()
        started = time.perf_counter()
        status, _b, headers = officer.post(f"/evaluation/{REFERENCE}/upload",
                                           {"csrf_token": token},
                                           {"workbook": ("synthetic.xlsx", content)})
        out["workbook upload of the scores through the browser: the request"] = \
            time.perf_counter() - started
        out["upload job"] = (_job_seconds(officer, headers.get("Location", ""))
                             if status == 302 else (0.0, f"answered {status} in the request"))
        _prepare_people(folder, finalise=True)
        sent = subprocess.run([sys.executable, "-m", "bench", "--send"], cwd=here,
                              env=_environment(folder), check=True, capture_output=True,
                              text=True)
        out["decision-note send"] = json.loads(sent.stdout.strip().splitlines()[-1])["seconds"]
        out["decision note page, after sending"] = _timed(
            officer, f"/procurements/{REFERENCE}/decision-note")
        approver = _Browser(base, "served.commissioner@example.org")
        out["sign-off page, after sending"] = _timed(
            approver, f"/procurements/{REFERENCE}/decision-note/sign-off")
        out.update(time_decision_jobs(officer))
        cookie = "; ".join(f"{c.name}={c.value}" for c in officer.jar)
        out["throughput"] = _throughput(base, f"/evaluation/{REFERENCE}/lots/{lot}/results",
                                        cookie)
        out["opportunities throughput"] = time_public(base)
    finally:
        consumer.terminate()
        server.terminate()
        consumer.wait(30)
        server.wait(30)
    bare_dir = os.path.join(folder, "bare")
    os.makedirs(bare_dir, exist_ok=True)
    with open(os.path.join(bare_dir, "bare.py"), "w") as f:
        f.write("from flask import Flask\napp = Flask(__name__)\n\n\n@app.route('/')\n"
                "def index():\n    return 'ok'\n")
    port = _free_port()
    bare = _serve(folder, "bare:app", port, bare_dir)
    try:
        out["bare throughput"] = _throughput(f"http://127.0.0.1:{port}", "/", None)
    finally:
        bare.terminate()
        bare.wait(30)
    return out


def served_lines(d: dict) -> list[str]:
    lines = ["", "Issue 15, through gunicorn (2 workers), the large tender:"]
    for name, target in SERVED_TARGETS:
        seconds = d[name]
        mark = "meets" if seconds <= target else "MISSES"
        shown = f"{seconds * 1000:8.0f} ms" if target < 1 else f"{seconds:8.2f} s "
        lines.append(f"  {name:<66} {shown}  ({mark} target <= "
                     f"{target * 1000:.0f} ms)" if target < 1 else
                     f"  {name:<66} {shown}  ({mark} target <= {target:.1f} s)")
    for job in ("export job", "upload job", "pack job"):
        seconds, state = d[job]
        lines.append(f"  {job + ' (in the background, until it ended)':<66} {seconds:8.2f} s "
                     f"  ({state})")
    lines.append(f"  {'letters page':<66} {d['letters page'] * 1000:8.0f} ms  "
                 f"({'meets' if d['letters page'] <= 0.3 else 'MISSES'} target <= 300 ms)")
    ratio = d["throughput"] / d["bare throughput"] if d["bare throughput"] else 0
    lines.append(f"  lot results page under 32 clients: {d['throughput']:.0f} req/s = "
                 f"{ratio:.2f} of a bare Flask page ({d['bare throughput']:.0f} req/s) "
                 f"({'meets' if ratio >= THROUGHPUT_TARGET else 'MISSES'} target >= "
                 f"{THROUGHPUT_TARGET})")
    public = d["opportunities throughput"]
    share = public / d["bare throughput"] if d["bare throughput"] else 0
    lines.append(f"  /opportunities signed out under 32 clients: {public:.0f} req/s = "
                 f"{share:.2f} of a bare Flask page ("
                 f"{'meets' if share >= THROUGHPUT_TARGET else 'MISSES'} target >= "
                 f"{THROUGHPUT_TARGET})")
    u = d.get("unmoderated")
    if u:
        mark = "meets" if u["seconds"] <= 1.0 else "MISSES"
        lines.append(f"  {'`tender results`, ' + str(u['unmoderated']) + ' lots unmoderated (means of ' + format(u['scores'], ',') + ' scores)':<66} "
                     f"{u['seconds']:8.2f} s   ({mark} target <= 1.0 s)")
    lines += [f"  FAILED: {failure}" for failure in FAILURES]
    return lines


def main() -> None:
    if sys.argv[1:2] == ["--import"]:
        _import_here(sys.argv[2])
        return
    if sys.argv[1:2] == ["--refuse"]:
        _refuse_here(sys.argv[2])
        return
    if sys.argv[1:2] == ["--send"]:
        _send_here()
        return
    if sys.argv[1:2] == ["--results"]:
        _results_here()
        return
    with tempfile.TemporaryDirectory(prefix="tender-bench-") as folder:
        os.environ.update(_environment(folder))
        import app  # noqa: F401 - loads the packages in the order the app needs

        path = os.path.join(folder, "synthetic.xlsx")
        rows, wrote = write_synthetic(path)
        read = time_openpyxl(path)
        upgrade_database(folder)
        imported = time_import(path, folder)
        results = time_results(folder)
        pages = time_pages(folder)
        open_data = time_open_data(folder)
        print(report(rows, wrote, read, imported, results, pages, open_data))
        unmoderated = time_unmoderated(folder)
        print("\n".join(served_lines(dict(time_served(folder, path),
                                           unmoderated=unmoderated))))
        print("\n".join(hostile(folder)))


if __name__ == "__main__":
    main()
