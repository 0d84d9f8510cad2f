"""OCDS 1.1 releases and release packages, drawn from published notices.

Pure: a notice's frozen content and plain values in, JSON out; `publication.opendata` reads
the records. One release per published notice:
- `ocid` is the procurement's (`{OCDS_PREFIX}-{REF}`, fixed when its first notice was
  published), `id` the notice's release id (fixed at publication), `date` its publication;
- `tag` from the notice's kind (a correction: the kind's update tag, e.g. tenderAmendment);
- the notice itself is a `tender.documents` entry (`documentType`, and under the Act
  Find a Tender's `noticeType` UK2 … UK12), with its PDF beside it;
- `tender`: lots (id = the lot code, value in GBP over the whole term, awardCriteria with the
  criteria's weights), CPV items, `tenderPeriod.endDate` (the deadline with its UK offset),
  `legalBasis` and `aboveThreshold` as Find a Tender maps them, the tender documents;
- from the tender notice on, `tender.enquiries`: the published clarification answers, never
  their `author` (the asker is private);
- award notices: `awards` per lot (`relatedLots`, the winning supplier in `parties`,
  `standstillPeriod`, `assessmentSummariesDateSent`) and `bids.statistics` (bids received
  and valid per lot); and, when the signed decision note's public version is published,
  `bids.details`: each bid's weighted score per criterion and total (`weightedScores`), the
  tenderer named as the public version names it (a redacted name stays "[REDACTED]").
  While the note's publication is deferred, `withheldInformation` says so and until when.
Nothing from a draft notice and no bid before the award.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from procurement.notices import rules

EXTENSION_URLS = {
    "lots": "https://raw.githubusercontent.com/open-contracting-extensions/"
            "ocds_lots_extension/v1.1.5/extension.json",
    "bids": "https://raw.githubusercontent.com/open-contracting-extensions/"
            "ocds_bid_extension/v1.1.5/extension.json",
    "enquiries": "https://raw.githubusercontent.com/open-contracting-extensions/"
                 "ocds_enquiry_extension/v1.1.5/extension.json",
    "awardCriteria": "https://raw.githubusercontent.com/open-contracting-extensions/"
                     "ocds_awardCriteria_extension/master/extension.json",
    "selectionCriteria": "https://raw.githubusercontent.com/open-contracting-extensions/"
                         "ocds_selectionCriteria_extension/master/extension.json",
    "submissionTerms": "https://raw.githubusercontent.com/open-contracting-extensions/"
                       "ocds_submissionTerms_extension/master/extension.json",
    "withheldInformation": "https://raw.githubusercontent.com/open-contracting-extensions/"
                           "ocds_withheldInformation_extension/master/extension.json",
    "uk": "https://raw.githubusercontent.com/cabinetoffice/ocds_uk_extension/main/"
          "extension.json",
}
LICENSE = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
TENDER_STATUS = {rules.PLANNING: "planned", "tender": "active", rules.AWARD: "complete",
                 rules.CONTRACT: "complete", rules.TERMINATION: "cancelled"}
METHOD = {"PCR2015-OPEN": "open", "PCR2015-RESTRICTED": "selective", "PCR2015-LTR": "open",
          "PA2023-OPEN": "open", "PA2023-CFP": "selective"}


@dataclass
class ReleaseInput:
    """A published notice and what its release carries besides its frozen content."""

    ocid: str
    release_id: str
    notice_id: int
    published_at: str  # ISO 8601, Z
    content: dict
    base_url: str  # the public site, e.g. https://tender.example.org
    enquiries: list[dict] = field(default_factory=list)
    scores: dict | None = None  # publication.opendata.public_scores
    withheld: dict | None = None  # {"until": date or None} while the note is deferred


def _amount(value: str) -> float:
    return float(Decimal(value))


def _num(value: str):
    d = Decimal(value)
    return int(d) if d == d.to_integral_value() else float(d)


def buyer_id(content: dict) -> str:
    return f"TENDER-ORG-{content['buyer']['id']}"


def release(r: ReleaseInput) -> dict:
    c = r.content
    kind = rules.kind_of(c["regime"], c["kind"])
    stage = "tender" if c.get("opens_competition") else c["stage"]
    tag = kind.update_tag if c.get("supersedes") else kind.tag
    if stage == "tender" and not c.get("supersedes"):
        tag = "tender"
    ref = c["reference"]
    base = r.base_url.rstrip("/")
    page = f"{base}/opportunities/{ref}/notices/{r.notice_id}"
    buyer = {"id": buyer_id(c), "name": c["buyer"]["name"]}
    parties: dict[str, dict] = {buyer["id"]: {**buyer, "roles": ["buyer"]}}
    notice_doc = {"id": f"notice-{r.notice_id}", "documentType": kind.document_type,
                  "title": c["kind_name"], "url": page, "datePublished": r.published_at,
                  "format": "text/html", "language": "en"}
    if kind.notice_type:
        notice_doc["noticeType"] = kind.notice_type
    if c.get("supersedes"):
        notice_doc["description"] = (f"Corrects and supersedes notice {c['supersedes']['id']}, "
                                     f"published {c['supersedes']['published_at']}.")
    pdf_doc = {**notice_doc, "id": f"notice-{r.notice_id}-pdf", "url": f"{page}.pdf",
               "format": "application/pdf"}
    tender = {"id": ref, "title": c["title"], "status": TENDER_STATUS.get(stage, "active"),
              "mainProcurementCategory": "services",
              "procurementMethod": METHOD.get(c["regime"], "open"),
              "procurementMethodDetails": c["regime_name"],
              "value": {"amount": _amount(c["value"]["whole_term"]), "currency": "GBP"},
              "documents": [notice_doc, pdf_doc]}
    if c.get("description"):
        tender["description"] = c["description"]
    if c.get("legal_basis"):
        tender["legalBasis"] = dict(c["legal_basis"])
    if c.get("threshold") is not None:
        tender["aboveThreshold"] = bool(c["threshold"]["above"])
    if c.get("light_touch"):
        tender["specialRegime"] = ["lightTouch"]
    if c.get("cpv_codes"):
        tender["items"] = [{"id": str(i), "classification": {"scheme": "CPV", "id": code}}
                           for i, code in enumerate(c["cpv_codes"], 1)]
    months = c["term"]["years"] * 12
    lots = []
    for lot in c.get("lots") or []:
        out = {"id": lot["code"], "title": lot["title"], "status": TENDER_STATUS.get(stage),
               "value": {"amount": _amount(lot["whole_term_value"]), "currency": "GBP"},
               "contractPeriod": {"durationInMonths": months}}
        if lot["criteria"]:
            out["awardCriteria"] = {"criteria": [
                {"type": "price" if crit["kind"] == "price" else "quality",
                 "name": f"{crit['code']} {crit['title']}".strip(),
                 "description": crit["section"],
                 "numbers": [{"number": _num(crit["weight"]), "weight": "percentageExact"}]}
                for crit in lot["criteria"]]}
        lots.append(out)
    if lots:
        tender["lots"] = lots
    dates = c.get("dates") or {}
    if dates.get("tender_deadline"):
        tender["tenderPeriod"] = {"endDate": dates["tender_deadline"]["at"]}
        if stage == "tender":
            tender["tenderPeriod"]["startDate"] = r.published_at
    if dates.get("clarification_deadline"):
        tender["enquiryPeriod"] = {"endDate": dates["clarification_deadline"]["at"]}
    if dates.get("contract_start"):
        tender["contractPeriod"] = {"startDate": dates["contract_start"]["at"]}
    if stage == "tender":
        tender["submissionTerms"] = {"electronicSubmissionPolicy": "required"}
        criteria = [] if c.get("min_delphi") is None else [{
            "type": "economic", "minimum": str(c["min_delphi"]),
            "description": "A Commercial Delphi score (independent credit reference) of at "
                           f"least {c['min_delphi']}, unless mitigated (for example by a "
                           "parent company guarantee)"}]
        criteria += [{"type": crit["type"], "description": f"{crit['key']} {crit['description']}"
                     + (" (answered for each lot)" if crit.get("lot") else ""),
                     "appliesTo": list(crit["applies_to"])}
                    for crit in c.get("selection_criteria") or []]
        if criteria:
            tender["selectionCriteria"] = {"criteria": criteria}
    for d in c.get("documents") or []:
        tender["documents"].append({
            "id": f"document-{d['id']}", "documentType": "biddingDocuments",
            "title": d["title"], "url": f"{base}/opportunities/{ref}/documents/{d['id']}",
            "datePublished": d["uploaded_at"], "format": _format(d["type"])})
    if stage != rules.PLANNING and r.enquiries:
        tender["enquiries"] = r.enquiries
        tender["hasEnquiries"] = True
    out = {"ocid": r.ocid, "id": r.release_id, "date": r.published_at, "tag": [tag],
           "initiationType": "tender", "language": "en", "buyer": buyer, "tender": tender}
    if c.get("awards"):
        _awards(out, c, r, parties)
    if c.get("contract"):
        out["contracts"] = [{"id": f"{ref}-{a['lot']}-contract", "awardID": f"{ref}-{a['lot']}",
                             "status": "active", "title": f"Lot {a['lot']}: {a['lot_title']}",
                             "value": {"amount": _amount(a["value"]), "currency": "GBP"},
                             **({"period": {"startDate": _day(c["contract"]["start"])}}
                                if c["contract"].get("start") else {})}
                            for a in c["awards"] if a["supplier"]]
    out["parties"] = list(parties.values())
    return out


def _format(file_type: str) -> str:
    from procurement.notices.filetypes import TYPES
    return TYPES[file_type].content_type if file_type in TYPES else "application/octet-stream"


def _day(iso_date: str) -> str:
    """A date as the start of that UK day with its offset (OCDS wants a date-time)."""
    from datetime import date, datetime, time
    from zoneinfo import ZoneInfo

    return datetime.combine(date.fromisoformat(iso_date), time(0)).replace(
        tzinfo=ZoneInfo("Europe/London")).isoformat(timespec="seconds")


def _party(parties: dict, pid: str, name: str, role: str) -> dict:
    party = parties.setdefault(pid, {"id": pid, "name": name, "roles": []})
    if role not in party["roles"]:
        party["roles"].append(role)
    return {"id": pid, "name": party["name"]}


def _awards(out: dict, c: dict, r: ReleaseInput, parties: dict) -> None:
    ref = c["reference"]
    awards, stats, details = [], [], []
    winners: dict[str, str] = {}  # lot -> the winner's party id
    for a in c["awards"]:
        award = {"id": f"{ref}-{a['lot']}", "title": f"Lot {a['lot']}: {a['lot_title']}",
                 "status": a["status"], "date": r.published_at, "relatedLots": [a["lot"]],
                 "value": {"amount": _amount(a["value"]), "currency": "GBP"}}
        if a["supplier"]:
            pid = f"TENDER-BIDDER-{a['supplier']['bidder_id']}"
            award["suppliers"] = [_party(parties, pid, a["supplier"]["name"], "supplier")]
            winners[a["lot"]] = pid
        if c.get("standstill") and c["stage"] == rules.AWARD:
            award["standstillPeriod"] = {"startDate": _day(c["standstill"]["start"]),
                                         "endDate": _day(c["standstill"]["end"])}
        if c.get("assessment_summaries_sent"):
            award["assessmentSummariesDateSent"] = _day(c["assessment_summaries_sent"])
        if c.get("threshold") is not None:
            award["aboveThreshold"] = bool(c["threshold"]["above"])
        awards.append(award)
        stats.append({"id": f"{a['lot']}-bids", "measure": "bids", "value": a["bids_received"],
                      "relatedLot": a["lot"]})
        stats.append({"id": f"{a['lot']}-validBids", "measure": "validBids",
                      "value": a["valid_bids"], "relatedLot": a["lot"]})
    if r.scores and c["stage"] == rules.AWARD:
        for lot in r.scores["lots"]:
            for i, bid in enumerate(lot["bids"], 1):
                bid_id = f"{ref}-{lot['code']}-bid-{i}"
                if bid["bidder_id"] is not None and not bid["redacted"]:
                    pid = f"TENDER-BIDDER-{bid['bidder_id']}"
                else:
                    pid = f"TENDER-REDACTED-{lot['code']}-{i}"
                tenderer = _party(parties, pid, bid["name"], "tenderer")
                details.append({
                    "id": bid_id, "relatedLots": [lot["code"]],
                    "status": "disqualified" if bid["status"] == "excluded" else "valid",
                    "tenderers": [tenderer],
                    "weightedScores": {
                        "status": bid["status"], "rank": bid["rank"], "total": bid["total"],
                        "criteria": bid["criteria"],
                        "source": r.scores["source"]}})
                if winners.get(lot["code"]) == pid and bid["rank"] == 1:
                    for award in awards:
                        if award["relatedLots"] == [lot["code"]]:
                            award["relatedBid"] = bid_id
    out["awards"] = awards
    out["bids"] = {"statistics": stats, **({"details": details} if details else {})}
    if r.withheld is not None and c["stage"] == rules.AWARD and not details:
        item = {"id": "bids-details", "field": "bids/details",
                "name": "Each bid's weighted scores per criterion and total",
                "rationale": "The decision note's publication is deferred: the scores are "
                             "published with its public version."}
        if r.withheld.get("until"):
            item["availabilityDate"] = _day(r.withheld["until"])
        out["withheldInformation"] = [item]


def extensions_used(releases: list[dict]) -> list[str]:
    used = {"lots", "uk"}
    for rel in releases:
        t = rel.get("tender", {})
        if any("awardCriteria" in lot for lot in t.get("lots", [])):
            used.add("awardCriteria")
        if "bids" in rel:
            used.add("bids")
        if t.get("enquiries"):
            used.add("enquiries")
        if "selectionCriteria" in t:
            used.add("selectionCriteria")
        if "submissionTerms" in t:
            used.add("submissionTerms")
        if "withheldInformation" in rel:
            used.add("withheldInformation")
    return [url for name, url in EXTENSION_URLS.items() if name in used]


def package(releases: list[dict], uri: str, publisher: str, published_date: str,
            links: dict | None = None) -> dict:
    out = {"uri": uri, "version": "1.1", "extensions": extensions_used(releases),
           "publishedDate": published_date, "publisher": {"name": publisher},
           "license": LICENSE, "releases": releases}
    if links:
        out["links"] = links
    return out
