"""The reference tender (pan-Staffordshire domestic abuse services, 2023) as NoteData.

Figures are the published ones (reference/decision-note-staffordshire-da-2023.txt);
narrative, EIA and DPIA are short paraphrases; every person named is fictional.
Used by the tests and the demo loader.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from decisions.note.data import (
    CHIEF_EXECUTIVE, COMMISSIONER, CRIME, MONITORING_OFFICER, OFFICIAL, ORIGINATING_OFFICER, POLICING,
    S151_OFFICER, Answers, EngagementEvent, Lot, NoteData, Notice, Partner, Regime, ResultRow,
    SelectionOutcome, Signer,
)

SECTIONS = ["Value for Money", "Presentation"]
# how the evaluation model describes its sections, so the note reads as the reference's
# "Assessment of bids was undertaken through a written Quality submission, …"
SECTION_DESCRIPTIONS = {"Value for Money": "a written Quality submission\na Value for Money submission",
                        "Presentation": "an Interview process"}
LOSING_BIDDER = "Northfield Change Partnership CIC"

NARRATIVE = {
    "summary": (
        "Domestic Abuse (DA) is recognised nationally and locally as a serious issue, both for its "
        "prevalence and for its impact on individuals, families and communities.\n\n"
        "Since 2018 the Staffordshire Commissioner's Office, Staffordshire County Council and "
        "Stoke-on-Trent City Council have jointly commissioned pan-Staffordshire DA Victim and "
        "Perpetrator services, extended to 30 September 2023.\n\n"
        "The three partners committed to re-commission the services from 1 October 2023. A refreshed "
        "Domestic Abuse Needs Assessment (DANA 2021), a stakeholder event and two market engagement "
        "events informed a new service specification written by a multi-agency team, and the tender "
        "was published on 1 February 2023.\n\n"
        "Following a procurement led by the Police Procurement Unit, the decision is to award two "
        "contracts:\n"
        "- Lot A: DA Victim services to Victim Support, and\n"
        "- Lot B: DA Perpetrator services to Victim Support.\n\n"
        "New contracts will commence on 1 October 2023."
    ),
    "recommendation": (
        "To support the award of the Domestic Abuse contracts to the successful bidder for each lot:\n"
        "- Lot A Victim Services – Victim Support\n"
        "- Lot B Perpetrator Services – Victim Support\n\n"
        "Approval is required for the contracts to be awarded by the Police, Fire and Crime Commissioner."
    ),
    "empowered": "Staffordshire Police, Fire and Crime Commissioner",
    "introduction": (
        "Tackling and ending Domestic Abuse is a long-term national priority, reinforced by the "
        "Domestic Abuse Act 2021 and the Government's 'Tackling Violence Against Women and Girls' "
        "strategy. Anyone aged 16 or over can become a victim, whatever their gender, ethnicity, "
        "sexuality, disability, home or background.\n\n"
        "## National context\n\n"
        "The Crime Survey of England and Wales suggests most DA remains hidden and under-reported. "
        "Women are disproportionately the victims, and the socio-economic cost of DA in England and "
        "Wales has been estimated at £66bn for a single year.\n\n"
        "## Current services to 30 September 2023\n\n"
        "Services operating under the 'New Era' brand have been available free of charge across "
        "Staffordshire and Stoke-on-Trent since October 2018. Almost 30,000 referrals have been made "
        "to the victim helpline and almost 2,000 to the perpetrator service. The incumbent perpetrator "
        "provider chose not to tender for the new services.\n\n"
        "## Understanding need\n\n"
        "The DANA 2021 found, among other things, that:\n"
        "- the number of DA cases visible to services is rising and unlikely to fall;\n"
        "- an estimated 65% of cases never reach support services or the criminal justice system;\n"
        "- children are present at around a third of police-recorded domestic crimes and incidents;\n"
        "- male victims, rural and older victims and LGBTQ+ victims are less likely to report DA."
    ),
    "scope": (
        "Services build on the foundations laid in 2018 and continue as Lot A Victim and Lot B "
        "Perpetrator services:\n"
        "- Tier 1 – Prevention (education, awareness raising and training);\n"
        "- Tier 2 – Early Intervention;\n"
        "- Tiers 3 & 4 – Targeted and Acute Support;\n"
        "- an Integrated Support Service bridging both services, and specialist IDVA posts.\n\n"
        "New from 2023: a Children's Neutral Front Door, prevention led by the victim service, a "
        "voluntary early intervention perpetrator programme, and a service level agreement with safe "
        "accommodation services."
    ),
    "financial": (
        "In collaboration, the three commissioning partners have agreed to let the two DA contracts, "
        "with financial arrangements defined in a tri-partite agreement between them."
    ),
    "contract_award": (
        "A multi-agency panel of evaluators from the SCO, Staffordshire County Council, Stoke-on-Trent "
        "City Council and Safeguarding considered the bid submissions received."
    ),
    "issues": (
        "All market engagement details were published through the e-tendering portal's messaging "
        "facility, so they were available to every prospective supplier whether or not it attended an "
        "event. The opportunity was also promoted on LinkedIn."
    ),
    "selection": (
        "A Selection Questionnaire stage was undertaken as part of the light-touch regime. Each bidder "
        "submitted two years of audited accounts, reviewed by the Chief Accountant, and a financial "
        "report from an independent third party gave each bidder's Commercial Delphi Score."
    ),
    "other_options": (
        "The DANA 2021 recognised the demands faced from DA nationally and locally. The three partners "
        "considered this together with the performance of the current services against other models "
        "operating elsewhere.\n\n"
        "The Staffordshire-wide approach is widely regarded as an example of partnership working, "
        "delivering consistent services with evidenced outcomes and value for money. The decision to "
        "build on these foundations was unanimous."
    ),
    "consultation": (
        "DA Commissioners undertook a wide range of consultation and engagement, including:\n"
        "- victim and perpetrator service user feedback gathered for the DANA 2021;\n"
        "- engagement with nationally recognised leads, Safe Lives and Respect;\n"
        "- dialogue at the Domestic Abuse Commissioning and Development Board, the Victims and "
        "Witnesses Board, the Community Safety Strategic Board and partner governance forums."
    ),
    "monitoring_officer_comments": "A robust commissioning exercise has been undertaken.",
    "s151_comments": (
        "I echo the comments of the Monitoring Officer. The funding has been made available for this "
        "contract and is contained within existing budgets and earmarked reserves."
    ),
    "legal_comments": (
        "Legal support was received throughout the tender process, with all published documents checked "
        "for compliance, from Joint Legal Services and an external law firm appointed to support."
    ),
    "background_papers": "Domestic Abuse Needs Assessment 2021; DA Service Specification 2023.",
    "deferral_details": "Until after the publication of the contract award notice.",
    "redaction_details": (
        "The name of the unsuccessful bidder for Lot B is commercially sensitive and is redacted in the "
        "published version."
    ),
}

RESEARCH = (
    "- Staffordshire and Stoke-on-Trent Domestic Abuse Needs Assessment 2021;\n"
    "- Safe Accommodation Needs Assessment 2021;\n"
    "- Domestic Abuse Act 2021;\n"
    "- Tackling Violence Against Women and Girls Strategy 2021;\n"
    "- National Statement of Expectations for DA 2022."
)
CONSULTED = (
    "Inclusive consultation was undertaken as part of the DANA 2021, with service users, stakeholders "
    "and the market. The service is available to all in need of support."
)


def _characteristic(name: str) -> dict:
    noun = name.lower()
    return {
        "data": f"This policy will not discriminate on {noun}. The service is available to all, regardless of {noun}.",
        "research": RESEARCH,
        "consultation": CONSULTED,
        "conclusion": "The policy is all inclusive.",
    }


EIA = {
    "title": "Procurement of pan Staffordshire Domestic Abuse services",
    "department": "Commissioning and Partnerships",
    "date": date(2022, 12, 6),
    "aims": (
        "To re-commission pan-Staffordshire services for all those affected by domestic abuse, keeping a "
        "consistent, coherent and co-ordinated approach through tiers of support, from prevention and "
        "early intervention to targeted and acute support."
    ),
    "affected": (
        "- The Staffordshire Commissioner's Office (lead commissioner);\n"
        "- Staffordshire County Council and Stoke-on-Trent City Council (co-commissioners);\n"
        "- local stakeholders, national DA organisations and local DA service providers;\n"
        "- victims and perpetrators of domestic abuse, and those affected by it."
    ),
    "data": (
        "## Local context\n\n"
        "- In 2019-20 an estimated 45,080 people locally were victims of DA, 66% of them women.\n"
        "- 28% of recorded victims are aged 18 to 29.\n"
        "- Referrals rose by over 36% in the year to July 2021.\n"
        "- 75% of the 10,300 recorded perpetrators are men."
    ),
    "characteristics": {name: _characteristic(name) for name in
                        ("Age", "Disability", "Race", "Religion or Belief", "Sex", "Sexual Orientation",
                         "Transgender")},
    "decisions": "The policy is all inclusive and services are available to all affected by domestic abuse.",
    "monitoring": (
        "Monitoring is in place, mirroring the arrangements of the previous four years, with quarterly and "
        "annual reviews with service providers."
    ),
    "publication": "This equality impact assessment will be published on the Commissioner's website.",
}

_NO = {"answer": False, "details": ""}
DPIA = {
    "title": "Staffordshire Victim Support – Victim Services",
    "organisation": "Staffordshire Police",
    "marking": "OFFICIAL-SENSITIVE",
    "versions": [{"version": "1.0", "date": date(2023, 9, 1), "requester": "SCO", "summary": "Initial DPIA"}],
    "part2_required": False,
    "ddpo_assessment": "Covered in summary DPIA.",
    "publication_scheme": True,
    "stakeholders": ["Priya Shah – DPO", "Tom Reid – Deputy DPO", "Megan Hart – SCO DPO",
                     "Jordan Ellis – SCO"],
    "discussion_date": "During the information sharing agreement review",
    "aim_and_purpose": (
        "The Commissioner has led a collaboration with the local authorities to secure support for victims "
        "of crime under a commissioned contract, delivered by Victim Support. The police will share "
        "referrals; the categories of data and the sharing process are set out in the information sharing "
        "agreement (ISA)."
    ),
    "personal_data": (
        "- Crime reference number and date reported\n"
        "- Neighbourhood policing area and crime type\n"
        "- Outline of the offence, including aggravating factors\n"
        "- Victim contact details (name, address, telephone, email where available)\n"
        "- Victim date of birth, gender and self-defined ethnicity"
    ),
    "data_subjects": "- Children or vulnerable individuals",
    "risk_summary": (
        "The risk assessment has been reviewed and the data protection principles discussed: the risk is "
        "negligible to low, and mitigation is included in the ISA and data processing agreement. The initial "
        "screening shows no areas of high risk."
    ),
    "special_category": ["Ethnic origin"],
    "special_category_notes": "Shared to give access to specialist victim support pathways.",
    "sharing": {"2.10.1": True, "2.10.2": False, "2.10.3": False, "2.10.4": False, "agreements": "in_place"},
    "lawful_basis": {
        "operational": "Necessary for a law enforcement purpose",
        "strictly_necessary": True,
        "condition": "Statutory purpose",
        "administrative": "Necessary for a task carried out in the public interest or in the exercise of "
                          "official authority",
        "administrative_condition": "",
        "substantial_public_interest": True,
        "purpose": "Statutory function",
    },
    "retention": {"compliant": True, "notes": "Retention follows the force Retention and Disposal Schedule."},
    "ico_factors": {code: dict(_NO) for code in
                    ("5.1", "5.2", "5.3", "5.4", "5.5", "5.6", "5.7", "5.8", "5.9", "5.10", "5.12", "5.13", "5.14")}
    | {"5.11": {"answer": True, "details": (
        "Victim data is covered by the sharing agreement; sharing is by secure email to a central point "
        "and data minimisation defines the data set. Safe contact options are provided where a risk is "
        "identified.")}},
    "dpo_summary": {
        "by": "Priya Shah – DPO",
        "date": date(2023, 9, 5),
        "text": (
            "DPIA completed following discussions, defining the responsibilities for police data shared "
            "within the victim services contract with Victim Support. Wider data management by the "
            "contractor is outside this DPIA and owned by the SCO DPO. Victim Support staff undertake "
            "information governance training and sign confidentiality agreements."
        ),
    },
}


def demo_note_data() -> NoteData:
    """The reference tender's decision note data (published figures, fictional people)."""
    lot_a = Lot(
        code="A", title="DA Victim Services", annual_value=Decimal("2875221"), bids_received=1,
        sections=list(SECTIONS), winner="Victim Support",
        results=[ResultRow("Victim Support", {"Value for Money": 85.0, "Presentation": 12.0}, 97.0, rank=1)],
    )
    lot_b = Lot(
        code="B", title="DA Perpetrator Services", annual_value=Decimal("500000"), bids_received=2,
        sections=list(SECTIONS), winner="Victim Support",
        results=[
            ResultRow("Victim Support", {"Value for Money": 85.0, "Presentation": 10.5}, 95.5, rank=1),
            ResultRow(LOSING_BIDDER, {"Value for Money": 55.0, "Presentation": 9.0}, 64.0, rank=2),
        ],
    )
    return NoteData(
        reference="SCO-DA-2023",
        section_descriptions=dict(SECTION_DESCRIPTIONS),
        title="Re-commissioning of pan Staffordshire Domestic Abuse Victim and Perpetrator Services",
        organisation="Staffordshire Commissioner's Office",
        decision_maker="Staffordshire Commissioner",
        strapline="Police | Fire and Rescue | Crime",
        relates_to=[POLICING, CRIME],
        marking=OFFICIAL,
        decision_number="SCP/D/202324/007",
        date_received=date(2023, 8, 16),
        answers=Answers(decision_making_policy=True, key_decision=True, legal_advice_sought=True,
                        public_access=True, personal_data=True, publication_deferred=True,
                        deferral_until=date(2023, 10, 2), redactions=True),
        narrative=dict(NARRATIVE),
        regime=Regime("PCR2015-LTR", "Public Contracts Regulations 2015, light-touch regime"),
        above_threshold=True,
        threshold=Decimal("663540"),
        notices=[Notice("Prior Information Notice", date(2022, 7, 1), kind="PIN"),
                 Notice("Contract notice (Invitation to Tender)", date(2023, 2, 1), kind="CN")],
        engagement_events=[
            EngagementEvent(date(2022, 9, 23), "Incumbent provider engagement event", "current providers"),
            EngagementEvent(date(2022, 9, 23), "Stakeholder engagement event", "partner agencies"),
            EngagementEvent(date(2022, 9, 30), "Market engagement event", "prospective providers"),
            EngagementEvent(date(2022, 11, 3), "Market engagement event", "prospective providers"),
        ],
        itt_published=date(2023, 2, 1),
        tender_deadline=date(2023, 3, 28),
        contract_start=date(2023, 10, 1),
        term_initial_years=3,
        term_extensions=[1, 1],
        lots=[lot_a, lot_b],
        partners=[
            Partner("Staffordshire Commissioner's Office", Decimal("1859195.76")),
            Partner("Staffordshire County Council", Decimal("895000")),
            Partner("Stoke-on-Trent City Council", Decimal("621025.24")),
        ],
        selection=[SelectionOutcome("Victim Support", True, lots=["A", "B"]),
                   SelectionOutcome(LOSING_BIDDER, True, lots=["B"])],
        signers=[
            Signer(ORIGINATING_OFFICER, "Originating Officer", "Jordan Ellis", 1),
            Signer(CHIEF_EXECUTIVE, "Chief Executive", "Sam Patel", 2),
            Signer(MONITORING_OFFICER, "Monitoring Officer", "Ruth Okafor", 3),
            Signer(S151_OFFICER, "Section 151 Officer", "Chris Lowe", 4),
            Signer(COMMISSIONER, "Staffordshire Commissioner", "Alex Morgan", 5),
        ],
        sensitive_phrases=[LOSING_BIDDER],
        eia=EIA,
        dpia=DPIA,
    )
