"""The decision note PDF, laid out as the reference note, and the decision pack.

    render_note(data, public=False) -> bytes   the note (public: sensitive phrases redacted)
    render_eia(eia, data) / render_dpia(dpia, data) -> bytes   structured annexes (annex_pdf)
    annex_pdfs(data, public=False) -> list[bytes]   EIA then DPIA, rendered or uploaded as is
    build_pack(note_pdf, annex_pdfs) -> bytes   note + annexes merged into one PDF
    render_pack(data, public=False) -> bytes   all of the above in one call

Every figure is read from the NoteData at the moment of rendering and formatted by
decisions.formatting; nothing here is typed. Each sign-off block carries white anchor
strings (\\s1\\ and \\d1\\ for the first signer in routing order, ...) for DocuSign tabs.
"""
from __future__ import annotations

import io

from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject, TextStringObject
from reportlab.platypus import CondPageBreak, KeepTogether, Paragraph, Spacer

from decisions.annexes.pdf import render_dpia, render_eia
from procurement.formatting import money, score, term
from decisions.note.data import (
    CHIEF_EXECUTIVE, COMMISSIONER, MONITORING_OFFICER, ORIGINATING_OFFICER, RELATES_TO_MARKS,
    S151_OFFICER, SIGN_OFF_ROLES, NoteData,
)
from decisions.pdf_common import (
    FRAME_W, LANG, STYLES, Writer, build_pdf, long_date, signature_block, table,
    yes_no_table,
)

__all__ = ["render_note", "render_eia", "render_dpia", "annex_pdfs", "build_pack", "render_pack"]

CE_STATEMENT = "I hereby approve the recommendation for consideration."
NUMBER_WORDS = ["No", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine", "Ten"]


def _count(n: int, noun: str) -> str:
    word = f"{NUMBER_WORDS[n]} ({n})" if n < len(NUMBER_WORDS) else str(n)
    return f"{word} {noun}{'' if n == 1 else 's'}"


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


# The evaluation table's cells drawn as strings (Writer.cell), as STYLES["cell"] and
# ["cellc"] would: 9.5 pt on a 12 pt leading, figures centred, the total in bold.
FIGURE_CELLS = (("LEADING", (0, 1), (-1, -1), 12), ("ALIGN", (1, 1), (-1, -1), "CENTER"),
                ("FONTNAME", (-1, 1), (-1, -1), "Helvetica-Bold"))


class _Note:
    def __init__(self, data: NoteData, public: bool):
        self.d = data
        self.w = Writer(data.sensitive_phrases, public)
        self.n = data.narrative or {}
        self.anchors = {s.role: (s, sa, da) for s, sa, da in data.anchors()}
        self.story: list = []

    # helpers -------------------------------------------------------------------------
    def add(self, *flowables):
        self.story.extend(flowables)

    def h(self, text: str, level: str = "h2"):
        self.add(Paragraph(text, STYLES[level]))

    def text(self, key: str, default: str = ""):
        self.add(*self.w.narrative(self.n.get(key) or default))

    def sign(self, role: str, title: str, **kw):
        signer, sa, da = self.anchors.get(role, (None, None, None))
        self.add(signature_block(self.w, title, signer, sa, da, **kw))

    # page 1: request for decision ----------------------------------------------------
    def request(self):
        d, w = self.d, self.w
        self.add(Paragraph(w.t(d.decision_maker.upper()), STYLES["org"]))
        if d.strapline:
            self.add(Paragraph(w.t(d.strapline), STYLES["strap"]))
        self.add(Paragraph(f"REQUEST FOR DECISION BY THE {w.t(d.decision_maker.upper())}", STYLES["title"]))
        marks = {m.lower() for m in d.relates_to}
        mark_w = 80
        self.add(table(
            [[Paragraph("<b>This decision relates to:</b>", STYLES["cell"])]
             + [Paragraph(f"<b>{m}:</b>", STYLES["cellc"]) for m in RELATES_TO_MARKS],
             [Paragraph(f"<b>{w.t(d.title)}</b>", STYLES["cell"])]
             + [Paragraph("<b>X</b>" if m.lower() in marks else "", STYLES["cellc"]) for m in RELATES_TO_MARKS]],
            [FRAME_W - 3 * mark_w] + [mark_w] * 3, header=True), Spacer(1, 10))

        self.h(f"APPROVAL (for completion by {w.t(d.decision_maker)} only)", "h3")
        commissioner = self.anchors.get(COMMISSIONER, (None,))[0]
        rationale = self.n.get("approval_rationale") or (commissioner.comments if commissioner else "")
        rows = [[Paragraph("<b>Rationale for approval</b>", STYLES["cell"]), self.w.narrative(rationale, "cell")],
                [Paragraph("<b>Date decision required by</b>", STYLES["cell"]),
                 Paragraph(w.t(long_date(d.date_required_by)), STYLES["cell"])],
                [Paragraph("<b>If an urgent approval is required, reasons</b>", STYLES["cell"]),
                 self.w.narrative(self.n.get("urgency"), "cell")]]
        self.add(table(rows, [150, FRAME_W - 150]), Spacer(1, 6))
        self.sign(COMMISSIONER, d.decision_maker.upper(),
                  show_comments=bool(self.n.get("approval_rationale")))

        self.h(f"For completion by {w.t(d.organisation)} only:-", "h3")
        self.add(table([[Paragraph("<b>Decision Number</b>", STYLES["cell"]),
                         Paragraph(w.t(d.decision_number or "Not yet assigned"), STYLES["cell"])],
                        [Paragraph("<b>Date Received</b>", STYLES["cell"]),
                         Paragraph(w.t(long_date(d.date_received)), STYLES["cell"])]],
                       [150, FRAME_W - 150]), Spacer(1, 6))
        a = d.answers
        dm = w.t(d.decision_maker)
        q = [(Paragraph(f"Has the required decision been considered under the guidance of the {dm}'s "
                        "Decision Making Policy?", STYLES["cell"]), a.decision_making_policy),
             (Paragraph("Has the required decision been deemed to be a Key Decision as defined within the "
                        f"{dm}'s Decision Making Policy?", STYLES["cell"]), a.key_decision),
             ([Paragraph("Who is empowered to make the required decision?", STYLES["cell"]),
               Paragraph(f"<b>{w.t(self.n.get('empowered', ''))}</b>", STYLES["cell"])], None)]
        self.add(yes_no_table(q, w), Spacer(1, 10))

        self.add(table([[Paragraph("<b>Title</b>", STYLES["cell"]), Paragraph(f"<b>{w.t(d.title)}</b>", STYLES["cell"])]],
                       [80, FRAME_W - 80]))
        self.h("Summary:")
        self.text("summary")
        self.h("Recommendation:")
        self.text("recommendation")
        self.add(Spacer(1, 6))
        self.sign(CHIEF_EXECUTIVE, "Chief Executive",
                  statement=w.t(self.n.get("chief_executive_statement") or CE_STATEMENT))

    # report and advice ---------------------------------------------------------------
    def introduction(self):
        self.add(CondPageBreak(160))
        self.h(f"REPORT AND ADVICE TO THE {self.w.t(self.d.decision_maker.upper())}", "h1")
        self.h("1. Introduction and background")
        self.text("introduction")
        if self.n.get("scope"):
            self.h("Scope of new services", "h3")
            self.text("scope")

    def financial(self):
        d, w = self.d, self.w
        self.h("Financial", "h3")
        self.text("financial")
        self.add(w.p(f"The total annual contract value is {money(d.total_annual_value)} and is split:"))
        self.add(*w.bullets(f"Lot {lot.code} – {lot.title} {money(lot.annual_value)} pa" for lot in d.lots))
        if d.partners:
            total = sum(p.annual_contribution for p in d.partners)
            self.add(w.p("Contributions to the overall annual contract value from the commissioning partners "
                         f"(total {money(total)}) are as follows:"))
            self.add(*w.bullets(f"{p.name} {money(p.annual_contribution)} pa" for p in d.partners))
        ext = d.term_extensions
        options = (f", with options to extend by {_join([f'{e} year' + ('s' if e != 1 else '') for e in ext])}"
                   if ext else "")
        start = f", commencing on {long_date(d.contract_start)}" if d.contract_start else ""
        self.add(w.p(f"The contracts are let for a term of {term(d.term_initial_years, ext)} (an initial term of "
                     f"{d.term_initial_years} year{'s' if d.term_initial_years != 1 else ''}{options}){start}. "
                     f"The whole-term value including extensions is {money(d.whole_term)}."))

    def contract_award(self):
        d, w = self.d, self.w
        self.h("Contract Award", "h3")
        if d.itt_published or d.tender_deadline:
            self.add(w.p(f"The tender opportunity was issued on {long_date(d.itt_published)} with a deadline for "
                         f"responses of {long_date(d.tender_deadline)}."))
        self.text("contract_award")
        self.add(w.p("Bids received:"))
        self.add(*w.bullets(f"Lot {lot.code} – {lot.title}: {_count(lot.bids_received, 'bid').lower()}"
                            for lot in d.lots))
        if d.assessment:
            self.add(w.p(d.assessment))
        self.add(w.p("Following comprehensive evaluation and assessment, the winning tenders were secured from:"))
        self.add(*w.bullets(f"Lot {lot.code} {lot.title} – {lot.winner or 'no winning bid'}" for lot in d.lots))

    def issues(self):
        d, w = self.d, self.w
        self.h("2. Issues for consideration")
        if d.regime:
            side = "above" if d.above_threshold else "below"
            against = f" the threshold of {money(d.threshold)}" if d.threshold is not None else " the threshold"
            lots = f" under {len(d.lots)} lots" if len(d.lots) > 1 else ""
            article = "an" if d.above_threshold else "a"
            self.add(w.p(f"The estimated whole-term value of {money(d.whole_term)} is {side}{against}, so "
                         f"{article} {side}-threshold tender was undertaken{lots} in compliance with the "
                         f"{d.regime.label} ({d.regime.code})."))
        if d.notices:
            self.add(w.p("Notices published:"))
            self.add(*w.bullets(
                f"{n.label}, {long_date(n.published_on) or 'not yet published'}"
                + (f" ({n.reference})" if n.reference else "") for n in d.notices))
        # the engagement events are listed once, in section 4 (consultation), as the reference
        self.text("issues")
        self.h("Tender Stage", "h3")
        self.add(w.p(f"Following publication of the ITT on {long_date(d.itt_published)}, potential bidders were "
                     f"able to view all procurement documentation, with the closing date for bid submissions set "
                     f"at {long_date(d.tender_deadline)}."))
        if d.lots:
            self.add(w.p("Submissions received: " + _join(
                [f"{_count(lot.bids_received, 'submission').lower()} for Lot {lot.code}" for lot in d.lots]) + "."))
        self.text("selection")
        failed = [s for s in d.selection if not s.passed]
        if not failed:
            self.add(w.p("All bidders met the requirements."))
        else:
            self.add(w.p("The following bidders did not meet the requirements:"))
        notes = failed + [s for s in d.selection if s.passed and s.reason]
        self.add(*w.bullets(
            f"{s.bidder}" + (f" (Lot {', '.join(s.lots)})" if s.lots else "")
            + (" – did not meet the requirements" if not s.passed else " – met the requirements")
            + (f": {s.reason}" if s.reason else "") for s in notes))

    def _events(self):
        return self.w.bullets(
            f"{long_date(e.on)} – {e.kind}" + (f" (attendees: {e.attendees})" if e.attendees else "")
            + (f": {e.notes}" if e.notes else "") for e in self.d.engagement_events)

    def evaluation(self):
        w = self.w
        # the headings travel with the first lot's table: never stranded at a page's foot
        heads = [Paragraph("Evaluation", STYLES["h2"]),
                 Paragraph("Outcome of evaluation", STYLES["h3"])]
        if not self.d.lots:
            self.add(*heads)
        for i, lot in enumerate(self.d.lots):
            block = (heads if i == 0 else []) + [
                Paragraph(f"Lot {w.t(lot.code)} – {w.t(lot.title)}", STYLES["h3"])]
            winner = next((r for r in lot.results if r.bidder == lot.winner), None)
            if winner is not None:
                block.append(w.p(f"The overall result for Lot {lot.code} resulted in {winner.bidder} being the "
                                 f"winning bidder, with a total evaluated score of {score(winner.total)}%."))
            else:
                block.append(w.p(f"No bid was ranked for Lot {lot.code}; no award is recommended."))
            head = [Paragraph("<b>Bidder</b>", STYLES["cell"])] + [
                Paragraph(f"<b>{w.t(s)} Weighted %</b>", STYLES["cellc"]) for s in lot.sections
            ] + [Paragraph("<b>Total %</b>", STYLES["cellc"])]
            rows = [head]
            # Figures are drawn as plain strings, centred and bold by the table's style: a
            # Paragraph per cell costs its parse and line breaking, and a 50-lot note has
            # 5,000 of them. Words (a bidder, a status) stay Paragraphs, which wrap.
            col = min(95.0, (FRAME_W - 150 - 70) / max(1, len(lot.sections)))
            widths = [FRAME_W - 70 - col * len(lot.sections)] + [col] * len(lot.sections) + [70]
            for r in lot.results:
                ranked = r.status == "ranked"
                total = score(r.total) + (" (tied)" if r.tied else "") if ranked else r.status.capitalize()
                rows.append([w.cell(r.bidder, widths[0])]
                            + [w.redact(score(r.sections.get(s)) if ranked else "–")
                               for s in lot.sections]
                            + [w.cell(total, widths[-1], "cellc", bold=True)])
            block.append(table(rows, widths, header=True, extra=FIGURE_CELLS))
            out = [r for r in lot.results if r.status != "ranked"]
            if out:
                block.append(Spacer(1, 5))
                block.append(w.p("Bids not ranked, with the reasons:"))
                block += w.bullets(f"{r.bidder} – {r.status}: {r.reason or 'no reason recorded'}" for r in out)
            self.add(KeepTogether(block), Spacer(1, 8))

    def implications(self):
        d, w, a = self.d, self.w, self.d.answers
        self.h("3. What other options have been considered?")
        self.text("other_options")
        self.h("4. Consultation and engagement undertaken")
        self.text("consultation")
        if d.engagement_events:
            self.add(w.p("Engagement events held:"), *self._events())
        self.h("Report Implications", "h1")
        for role, heading, key in ((MONITORING_OFFICER, "5. Monitoring Officer comments:", "monitoring_officer_comments"),
                                   (S151_OFFICER, "6. Section 151 Officer comments:", "s151_comments")):
            signer = self.anchors.get(role, (None,))[0]
            self.h(heading)
            self.text(key, signer.comments if signer else "")
            self.sign(role, signer.label if signer else heading[3:-1].replace(" comments", ""),
                      show_comments=bool(self.n.get(key)))

        def q(label, key=None, default=""):
            cell = [Paragraph(f"<b>{label}</b>", STYLES["cell"])]
            text = self.n.get(key) if key else ""
            return cell + w.narrative(text or default, "cell")

        rows = [(q("7. Has legal advice (outside of that provided by the Monitoring Officer) been sought on the "
                   "content of this report? Legal comments:", "legal_comments"), a.legal_advice_sought),
                (q("8. Equality comments – please attach the completed EIA", "equality_comments",
                   "Attached" if d.eia is not None else "Not attached"), None),
                (q("9. Background/supporting papers", "background_papers"), None),
                (q("10. Public access to information?", "public_access"), a.public_access),
                (q("11. Does this decision involve the processing of personal data? (If yes please attach a "
                   "completed Data Protection Impact Assessment)", "personal_data",
                   "DPIA attached" if d.dpia is not None else ""), a.personal_data),
                (q("12. Is the publication of this form to be deferred? (If yes, until when?)", "deferral_details",
                   f"Until {long_date(a.deferral_until)}." if a.deferral_until else "")
                 + ([w.p(f"Deferred until: {long_date(a.deferral_until)}", "cell")]
                    if a.deferral_until and self.n.get("deferral_details") else []), a.publication_deferred),
                (q("13. Does this form contain commercial or operationally sensitive information which is to be "
                   "redacted? (If yes, details)", "redaction_details"), a.redactions)]
        self.add(Spacer(1, 4), yes_no_table(rows, w, heading="Please answer the following questions"),
                 Spacer(1, 10))
        signer, sa, da = self.anchors.get(ORIGINATING_OFFICER, (None, None, None))
        self.add(Paragraph("14. ORIGINATING OFFICER DECLARATION:", STYLES["h2"]),
                 signature_block(w, "Originating Officer", signer, sa, da, name_label="Author"))
        extra = [(s, sa, da) for s, sa, da in d.anchors() if s.role not in SIGN_OFF_ROLES]
        if extra:
            self.h("Further sign-off")
            for s, sa, da in extra:
                self.add(signature_block(w, s.label, s, sa, da))


def render_note(data: NoteData, public: bool = False) -> bytes:
    """The decision note as PDF bytes; `public` redacts data.sensitive_phrases in the text drawn."""
    note = _Note(data, public)
    note.request()
    note.introduction()
    note.financial()
    note.contract_award()
    note.issues()
    note.evaluation()
    note.implications()
    w = note.w
    ident = w.redact(data.decision_number or data.reference)
    footer = f"Decision note {ident}" + (" – public version" if public else "")
    return build_pdf(note.story, marking=data.marking, footer_left=footer,
                     title=w.redact(f"Decision note – {data.title}"), subject=w.redact(data.reference))


def annex_pdfs(data: NoteData, public: bool = False) -> list[bytes]:
    """The EIA then the DPIA: structured forms rendered, uploaded PDFs used as they are."""
    out = []
    for annex, render in ((data.eia, render_eia), (data.dpia, render_dpia)):
        if isinstance(annex, (bytes, bytearray)):
            out.append(bytes(annex))
        elif annex:
            out.append(render(annex, data, public=public))
    return out


def build_pack(note_pdf: bytes, annex_pdfs: list[bytes]) -> bytes:
    """One decision pack: the note's pages, then each annex's pages, in order."""
    writer = PdfWriter()
    readers = [PdfReader(io.BytesIO(pdf)) for pdf in [note_pdf, *annex_pdfs]]
    for reader in readers:
        writer.append(reader)
    # the pack keeps the note's title, and says its language (pypdf's merge drops both)
    title = (readers[0].metadata or {}).get("/Title")
    if title:
        writer.add_metadata({"/Title": str(title), "/Author": "Tender", "/Creator": "Tender"})
    writer.root_object[NameObject("/Lang")] = TextStringObject(LANG)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def render_pack(data: NoteData, public: bool = False) -> bytes:
    return build_pack(render_note(data, public), annex_pdfs(data, public))
