"""The demo's organisations and people: fictional, one user per role."""

DEMO_PASSWORD = "tender-demo-2023"
BUYER = "Staffordshire Commissioner's Office"
PARTNERS = ("Staffordshire County Council", "Stoke-on-Trent City Council")
SUPPLIERS = ("Victim Support", "Northfield Change Partnership CIC")

# (email, name, roles, organisation, panel member they sit as in the workbook)
USERS = [
    ("admin@tender.test", "Morgan Reid", "admin", BUYER, None),
    ("officer@tender.test", "Jordan Ellis", "officer,originating_officer", BUYER, None),
    ("evaluator.a@tender.test", "Priya Shah", "evaluator", BUYER, "Panel Member A"),
    ("evaluator.b@tender.test", "Tom Hughes", "evaluator", PARTNERS[0], "Panel Member B"),
    ("evaluator.c@tender.test", "Grace Lin", "evaluator", PARTNERS[1], "Panel Member C"),
    ("finance@tender.test", "Dana Brooks", "finance", BUYER, None),
    ("ceo@tender.test", "Sam Patel", "chief_executive", BUYER, None),
    ("mo@tender.test", "Ruth Okafor", "monitoring_officer", BUYER, None),
    ("s151@tender.test", "Chris Lowe", "s151_officer", BUYER, None),
    ("commissioner@tender.test", "Alex Morgan", "commissioner", BUYER, None),
    ("supplier@tender.test", "Kim Walsh", "supplier", SUPPLIERS[1], None),
]
