"""A published notice as a PDF, in the house style of the decision note (decisions.pdf_common):
drawn once, at publication, from the notice's frozen content, and kept with its SHA-256."""
from __future__ import annotations

from datetime import date, datetime

from reportlab.platypus import Paragraph, Spacer

from decisions.pdf_common import FRAME_W, STYLES, Writer, build_pdf, long_date, table
from procurement.formatting import money

MARKING = "OFFICIAL"


def _when(value: str | None, with_time: bool = True) -> str:
    if not value:
        return ""
    if "T" not in value:
        return long_date(date.fromisoformat(value))
    at = datetime.fromisoformat(value.replace("Z", "+00:00"))
    text = long_date(at)
    return f"{text}, {at:%H:%M}" + (" UTC" if value.endswith("Z") else "") if with_time else text


def render_notice(content: dict) -> bytes:
    w = Writer()
    p, t = w.p, w.t
    title = f"{content['kind_name']}" + (f" ({content['notice_type']})"
                                        if content.get("notice_type") else "")
    story = [Paragraph(t(content["buyer"]["name"]), STYLES["org"]),
             Paragraph(t(content["regime_name"]), STYLES["strap"]),
             Paragraph(t(title), STYLES["title"])]
    facts = [("Reference", content["reference"]), ("Title", content["title"]),
             ("Published", _when(content.get("published_at")) or "Draft: not published")]
    if content.get("supersedes"):
        s = content["supersedes"]
        facts.append(("Corrects", f"notice {s['id']} published {_when(s['published_at'])}, "
                                  "which it supersedes"))
    if content.get("legal_basis"):
        facts.append(("Legal basis", content["legal_basis"]["description"]))
    if content.get("cpv_codes"):
        facts.append(("CPV codes", ", ".join(content["cpv_codes"])))
    if content.get("region"):
        facts.append(("Region", content["region"]))
    term = content["term"]
    facts.append(("Term", " + ".join(str(x) for x in [term["initial_years"],
                                                       *term["extension_years"]]) + " years"))
    facts.append(("Estimated value", f"{money(content['value']['annual'])} a year, "
                                     f"{money(content['value']['whole_term'])} over the term"))
    if content.get("threshold"):
        th = content["threshold"]
        facts.append(("Threshold", f"{'Above' if th['above'] else 'Below'} the threshold of "
                                   f"{money(th['amount'])}"))
    story.append(table([[p(k, "cellb"), p(v, "cell")] for k, v in facts], [120, FRAME_W - 120]))
    if content.get("description"):
        story += [Paragraph("Description", STYLES["h2"]), *w.narrative(content["description"])]
    if content.get("lots"):
        story.append(Paragraph("Lots", STYLES["h2"]))
        rows = [[p("Lot", "cellb"), p("Title", "cellb"), p("Annual value", "cellb"),
                 p("Over the term", "cellb")]]
        rows += [[p(lot["code"], "cell"), p(lot["title"], "cell"),
                  p(money(lot["annual_value"]), "cell"), p(money(lot["whole_term_value"]), "cell")]
                 for lot in content["lots"]]
        story.append(table(rows, [40, FRAME_W - 240, 100, 100], header=True))
    if content.get("opens_competition"):
        for lot in content["lots"]:
            if not lot["criteria"]:
                continue
            story.append(Paragraph(f"Award criteria, lot {t(lot['code'])}", STYLES["h3"]))
            rows = [[p("Criterion", "cellb"), p("Section", "cellb"), p("Weight", "cellb")]]
            rows += [[p(f"{c['code']} {c['title']}", "cell"), p(c["section"], "cell"),
                      p(f"{c['weight']}%", "cell")] for c in lot["criteria"]]
            story.append(table(rows, [FRAME_W - 200, 140, 60], header=True))
    dates = content.get("dates") or {}
    labels = {"clarification_deadline": "Clarification questions close",
              "tender_deadline": "Tender deadline", "contract_start": "Contract start"}
    rows = [[p(labels[k], "cellb"), p(_when(v["at"], v["has_time"]), "cell")]
            for k, v in dates.items() if v and k in labels]
    if rows:
        story += [Paragraph("Key dates", STYLES["h2"]), table(rows, [160, FRAME_W - 160])]
    if content.get("documents"):
        story.append(Paragraph("Tender documents", STYLES["h2"]))
        story += w.bullets(f"{d['title']} ({d['filename']}), SHA-256 {d['sha256'][:16]}…"
                           for d in content["documents"])
    if content.get("awards"):
        story.append(Paragraph("Award", STYLES["h2"]))
        rows = [[p("Lot", "cellb"), p("Supplier", "cellb"), p("Value over the term", "cellb"),
                 p("Bids received", "cellb")]]
        rows += [[p(a["lot"], "cell"),
                  p(a["supplier"]["name"] if a["supplier"] else "Not awarded", "cell"),
                  p(money(a["value"]), "cell"), p(str(a["bids_received"]), "cell")]
                 for a in content["awards"]]
        story.append(table(rows, [40, FRAME_W - 240, 120, 80], header=True))
    if content.get("standstill"):
        s = content["standstill"]
        story.append(p(f"Standstill period: from {_when(s['start'])} to the end of "
                       f"{_when(s['end'])}."))
    if content.get("assessment_summaries_sent"):
        story.append(p("Assessment summaries sent to the bidders on "
                       f"{_when(content['assessment_summaries_sent'])}."))
    if content.get("contract"):
        c = content["contract"]
        story.append(p(f"Contract start: {_when(c['start']) or 'not recorded'}; term "
                       f"{c['years']} years."))
    story += [Spacer(1, 10), p("Built by Tender from the procurement's records. A published "
                                "notice is never changed: a correction is a new notice that "
                                "supersedes it.", "small")]
    return build_pdf(story, marking=MARKING, footer_left=f"{content['reference']} · {title}",
                     title=f"{content['reference']} {title}", subject=content["title"])
