"""The decision note's annexes as structured forms following the reference's sections.

render_eia(eia, data, public=False) -> bytes    Equality Impact Assessment
render_dpia(dpia, data, public=False) -> bytes  Data Protection Impact Assessment

`data` is the NoteData (for the organisation, marking and sensitive phrases). Text values are
plain narrative text (blank-line paragraphs, "- " bullets); missing keys draw as blank.

EIA dict keys:
    title, department, date (date or text), aims, affected, data, research, consultation,
    conclusions, decisions, monitoring, publication (closing statement),
    characteristics: {"Age": {"data", "research", "consultation", "conclusion"}, ...}
    for each of PROTECTED_CHARACTERISTICS.

DPIA dict keys:
    title, organisation (e.g. "Staffordshire Police"), marking (default the note's),
    versions: [{"version", "date", "requester", "summary"}], references: [{"ref", "name", "version"}],
    part2_required (bool), ddpo_assessment, publication_scheme (bool), publication_reason,
    stakeholders: [str], discussion_date, aim_and_purpose, personal_data, data_subjects,
    risk_summary, special_category: [names from SPECIAL_CATEGORIES] (empty: "None"),
    special_category_notes, sharing: {"2.10.1".."2.10.4": bool, "agreements": "in_place" |
    "required" | "none"}, lawful_basis: {"operational", "administrative", "strictly_necessary"
    (bool), "condition", "administrative_condition", "substantial_public_interest" (bool),
    "purpose"}, retention: {"compliant": bool, "notes"},
    ico_factors: {"5.1".."5.14": {"answer": bool, "details": str}},
    dpo_summary: {"by", "date", "text"}.
"""
from __future__ import annotations

from datetime import date

from reportlab.platypus import Paragraph, Spacer

from decisions.pdf_common import FRAME_W, STYLES, Writer, build_pdf, long_date, table

PROTECTED_CHARACTERISTICS = ("Age", "Disability", "Race", "Religion or Belief", "Sex",
                             "Sexual Orientation", "Transgender")
SPECIAL_CATEGORIES = ("Race", "Trade union membership", "Ethnic origin", "Genetic Data", "Political opinions",
                      "Biometric Data", "Sex life", "Sexual orientation", "Religion", "Health",
                      "Philosophical beliefs", "None")
SHARING_QUESTIONS = (
    ("2.10.1", "Data being shared with third parties external to the organisation or recipients that have "
               "not previously had routine access to the information?"),
    ("2.10.2", "Transferring data outside the UK but within the EU?"),
    ("2.10.3", "Transferring data outside the EU?"),
    ("2.10.4", "Storing data using a cloud service provider?"),
)
AGREEMENTS = (("in_place", "Yes – agreements in place"), ("required", "Not yet – agreements required"),
              ("none", "No – none required"))
ICO_FACTORS = (
    ("5.1", "Systematic, extensive and large scale profiling and automated decision-making about people?"),
    ("5.2", "Large scale use of special category data or criminal offence data?"),
    ("5.3", "Public monitoring? Systematic monitoring of a publicly accessible area on a large scale."),
    ("5.4", "New technologies or techniques, or the novel application of existing technologies "
            "(including Artificial Intelligence)?"),
    ("5.5", "Profiling, automated decision-making or special category data to help make decisions on "
            "someone's access to a service, opportunity or benefit?"),
    ("5.6", "Biometrics/genetic data?"),
    ("5.7", "Data matching? Combining, comparing or matching personal data obtained from multiple sources."),
    ("5.8", "Invisible processing? Personal data not obtained direct from the data subject where a "
            "privacy notice would be impossible or involve disproportionate effort."),
    ("5.9", "Tracking? An individual's geolocation or behaviour, including online."),
    ("5.10", "Targeting of children or other vulnerable individuals for marketing, profiling or other "
             "automated decision-making, or offering online services directly to children?"),
    ("5.11", "Risk of physical harm? A personal data breach could jeopardise the health or safety of "
             "individuals."),
    ("5.12", "Evaluation or scoring? Performance at work, economic situation, health, personal "
             "preferences or interests, reliability or behaviour, location or movements."),
    ("5.13", "Data processed on a large scale? Number of data subjects, volume and range of data, "
             "duration, geographical extent."),
    ("5.14", "Preventing data subjects from exercising a right (to be informed, access, rectification, "
             "erasure, restriction, objection, portability, automated processing)?"),
)


def _box(checked) -> str:
    return "[X]" if checked else "[&nbsp;&nbsp;]"


def _when(value) -> str:
    """A date drawn long ("6 December 2022"); forms stored as JSON hold ISO text."""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return value
    return long_date(value) if isinstance(value, date) else str(value or "")


class _Form:
    def __init__(self, data, public: bool):
        self.w = Writer(data.sensitive_phrases, public)
        self.story: list = []

    def h(self, text, level="h2"):
        self.story.append(Paragraph(text, STYLES[level]))

    def text(self, value):
        self.story.extend(self.w.narrative(value))

    def guide(self, text):
        self.story.append(Paragraph(text, STYLES["note"]))

    def grid(self, pairs, label_w=150):
        rows = [[Paragraph(f"<b>{k}</b>", STYLES["cell"]), self.w.narrative(v, "cell")] for k, v in pairs]
        self.story += [table(rows, [label_w, FRAME_W - label_w]), Spacer(1, 8)]


def render_eia(eia: dict, data, public: bool = False) -> bytes:
    f = _Form(data, public)
    w = f.w
    f.story.append(Paragraph(w.t(data.decision_maker.upper()), STYLES["org"]))
    if data.strapline:
        f.story.append(Paragraph(w.t(data.strapline), STYLES["strap"]))
    f.story.append(Paragraph("Equality Impact Assessment", STYLES["title"]))
    f.guide("The purpose of this EIA is to ensure equality issues are considered as part of decision making "
            "when developing or reviewing a policy or procedure.")
    f.grid([("Title of policy/procedure:", eia.get("title")), ("Department:", eia.get("department")),
            ("Date:", _when(eia.get("date")))])
    f.h("1. Identify the aims and purpose of the policy")
    f.text(eia.get("aims"))
    f.h("2. Identify the individuals and organisations who are likely to have an interest in, or be affected "
        "by the policy")
    f.text(eia.get("affected"))
    chars = eia.get("characteristics") or {}
    parts = (("3", "Data", "data", "data", "Summarise the findings of any monitoring data which you have "
              "considered regarding the impact of this policy on people from any of the protected groups."),
             ("4", "Research", "research", "research", "Summarise the findings of any research you have "
              "considered regarding this policy for any of the protected groups."),
             ("5", "Consultation", "consultation", "consultation", "Summarise the opinions of any consultation "
              "for any of the protected groups: who was consulted and how. If there was none, justify why."),
             ("6", "Conclusions", "conclusions", "conclusion", "Taking into account the monitoring, research "
              "and consultation, set out how the policy impacts or could impact on people from the protected "
              "groups (positive and/or negative)."))
    for num, heading, key, per, guidance in parts:
        f.h(f"{num}. {heading}")
        f.guide(guidance)
        f.text(eia.get(key))
        for i, name in enumerate(PROTECTED_CHARACTERISTICS, 1):
            f.h(f"{num}.{i} {name}", "h3")
            f.text((chars.get(name) or {}).get(per) or "–")
    f.h("7. Decisions")
    f.guide("If the policy will have a negative impact on one or more of the protected groups, explain how the "
            "policy will change or why it is to continue in the same way; if no changes are proposed, the "
            "policy needs to be objectively justified.")
    f.text(eia.get("decisions"))
    f.h("8. Monitoring arrangements")
    f.guide("What consideration has been given to piloting the policy, and what arrangements have been made "
            "to monitor its effects on equality and diversity?")
    f.text(eia.get("monitoring"))
    if eia.get("publication"):
        f.story.append(Spacer(1, 6))
        f.story.append(Paragraph(f"<b>{w.t(eia['publication'])}</b>", STYLES["body"]))
    return build_pdf(f.story, marking=eia.get("marking") or data.marking,
                     footer_left=f"EIA – {w.redact(data.decision_number or data.reference)}",
                     title=w.redact(f"Equality Impact Assessment – {eia.get('title', '')}"))


def render_dpia(dpia: dict, data, public: bool = False) -> bytes:
    f = _Form(data, public)
    w = f.w
    f.story.append(Paragraph(w.t((dpia.get("organisation") or data.organisation).upper()), STYLES["org"]))
    f.story.append(Paragraph("Data Protection Impact Assessment – Summary Assessment", STYLES["title"]))
    f.story.append(Paragraph(f"<b>“{w.t(dpia.get('title'))}”</b>", STYLES["h3"]))
    f.guide("A Data Protection Impact Assessment (DPIA) is a mandatory requirement under the Data Protection "
            "Act 2018. Publication improves transparency and the public's understanding of how their "
            "information is used.")
    versions = [[Paragraph(f"<b>{h}</b>", STYLES["cell"]) for h in
                 ("Version", "Version date", "Requester of change", "Summary of change(s)")]]
    versions += [[w.p(v.get("version"), "cell"), w.p(_when(v.get("date")), "cell"), w.p(v.get("requester"), "cell"),
                  w.p(v.get("summary"), "cell")] for v in dpia.get("versions") or []]
    f.story += [table(versions, [60, 90, 120, FRAME_W - 270], header=True), Spacer(1, 8)]
    if dpia.get("references"):
        refs = [[Paragraph(f"<b>{h}</b>", STYLES["cell"]) for h in ("Ref", "Document name", "Version number")]]
        refs += [[w.p(r.get("ref"), "cell"), w.p(r.get("name"), "cell"), w.p(r.get("version"), "cell")]
                 for r in dpia["references"]]
        f.story += [table(refs, [60, FRAME_W - 160, 100], header=True), Spacer(1, 8)]
    f.grid([("DDPO assessment", f"{'Part 2 required' if dpia.get('part2_required') else 'A. DPIA part 2 is not mandatory.'}"
             f" {dpia.get('ddpo_assessment', '')}"),
            ("Publication scheme", ("Can be uploaded to the publication scheme." if dpia.get("publication_scheme")
                                    else "Not for the publication scheme.") + " " + (dpia.get("publication_reason") or ""))])
    f.h("Section 1 – Discussion")
    f.grid([("Discussion stakeholders", "\n".join(f"- {s}" for s in dpia.get("stakeholders") or [])),
            ("Date", _when(dpia.get("discussion_date")))])
    f.h("Section 2 – Purpose, Scope and Context")
    f.guide("What the processing is, who it involves and its intended impact; why it is necessary and "
            "proportionate.")
    f.h("Specific aim and purpose", "h3")
    f.text(dpia.get("aim_and_purpose"))
    f.h("What categories of personal data will be processed?", "h3")
    f.text(dpia.get("personal_data"))
    if dpia.get("data_subjects"):
        f.h("Data subjects, range and prevalence", "h3")
        f.text(dpia.get("data_subjects"))
    f.text(dpia.get("risk_summary"))
    f.h("2.3 Will special category data be used in the proposal? (Select all that apply)", "h3")
    chosen = {c.lower() for c in dpia.get("special_category") or []} or {"none"}
    cells = [Paragraph(f"{_box(c.lower() in chosen)} {c}", STYLES["cell"]) for c in SPECIAL_CATEGORIES]
    f.story += [table([cells[i:i + 2] for i in range(0, len(cells), 2)], [FRAME_W / 2] * 2, pad=2.5),
                Spacer(1, 4)]
    f.text(dpia.get("special_category_notes"))
    f.h("2.9 Data sharing – does the processing involve:", "h3")
    sharing = dpia.get("sharing") or {}
    rows = [[Paragraph(code, STYLES["cellb"]), Paragraph(q, STYLES["cell"]),
             Paragraph(f"{_box(sharing.get(code) is True)} Yes {_box(sharing.get(code) is False)} No", STYLES["cell"])]
            for code, q in SHARING_QUESTIONS]
    rows.append([Paragraph("2.10.5", STYLES["cellb"]),
                 Paragraph("Is there an ISA, contract or other sharing agreement in place with all parties with "
                           "whom data will be shared?", STYLES["cell"]),
                 Paragraph("<br/>".join(f"{_box(sharing.get('agreements') == k)} {t}" for k, t in AGREEMENTS),
                           STYLES["cell"])])
    f.story += [table(rows, [45, FRAME_W - 195, 150]), Spacer(1, 8)]
    lb = dpia.get("lawful_basis") or {}
    f.h("Section 3 – Lawful Basis")
    f.grid([("Operational data (law enforcement purposes)", lb.get("operational")),
            ("Strictly necessary", "[X] Confirmed" if lb.get("strictly_necessary") else "[ ] Not confirmed"),
            ("Condition", lb.get("condition")),
            ("Administrative data (non-law enforcement)", lb.get("administrative")),
            ("Condition", lb.get("administrative_condition")),
            ("Substantial public interest", "[X] Confirmed" if lb.get("substantial_public_interest") else "[ ] No"),
            ("For the purpose", lb.get("purpose"))], label_w=180)
    ret = dpia.get("retention") or {}
    f.h("Section 4 – Review, Retention and Disposal")
    f.grid([("4.1 Review, retention and disposal process complies with policy?",
             ("[X] Yes [ ] No" if ret.get("compliant") else "[ ] Yes [X] No") + "\n\n" + (ret.get("notes") or ""))],
           label_w=180)
    f.h("Section 5 – ICO: Additional Factors")
    f.guide("The Information Commissioner's Office lists factors that present a high risk when processing "
            "personal data. Yes to one or more may indicate high risk and that a Stage 2 DPIA is required.")
    factors = dpia.get("ico_factors") or {}
    rows = [[Paragraph(f"<b>{h}</b>", STYLES["cell"]) for h in ("", "Does the processing involve:", "Yes / No",
                                                                 "If yes, further details")]]
    for code, q in ICO_FACTORS:
        item = factors.get(code) or {}
        ans = item.get("answer")
        rows.append([Paragraph(code, STYLES["cellb"]), Paragraph(q, STYLES["cell"]),
                     Paragraph(f"{_box(ans is True)} Yes<br/>{_box(ans is False)} No", STYLES["cell"]),
                     w.narrative(item.get("details"), "cell")])
    f.story += [table(rows, [32, FRAME_W - 222, 60, 130], header=True), Spacer(1, 8)]
    dpo = dpia.get("dpo_summary") or {}
    f.h(f"DPO Summary: {w.t(dpo.get('by', ''))} {w.t(_when(dpo.get('date')))}")
    f.text(dpo.get("text"))
    return build_pdf(f.story, marking=dpia.get("marking") or data.marking,
                     footer_left=f"DPIA – {w.redact(data.decision_number or data.reference)}",
                     title=w.redact(f"Data Protection Impact Assessment – {dpia.get('title', '')}"))
