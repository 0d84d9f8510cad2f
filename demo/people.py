"""The demo's organisations and people: fictional, one user per role."""

DEMO_PASSWORD = "tender-demo-2023"
BUYER = "Staffordshire Commissioner's Office"
PARTNERS = ("Staffordshire County Council", "Stoke-on-Trent City Council")
SUPPLIERS = ("Victim Support", "Northfield Change Partnership CIC")

# (email, name, roles, organisation, panel member they sit as in the workbook)
USERS = [
    ("admin@demo.example.org", "Morgan Reid", "admin", BUYER, None),
    ("officer@demo.example.org", "Jordan Ellis", "officer,originating_officer", BUYER, None),
    ("evaluator.a@demo.example.org", "Priya Shah", "evaluator", BUYER, "Panel Member A"),
    ("evaluator.b@demo.example.org", "Tom Hughes", "evaluator", PARTNERS[0], "Panel Member B"),
    ("evaluator.c@demo.example.org", "Grace Lin", "evaluator", PARTNERS[1], "Panel Member C"),
    ("finance@demo.example.org", "Dana Brooks", "finance", BUYER, None),
    ("ceo@demo.example.org", "Sam Patel", "chief_executive", BUYER, None),
    ("mo@demo.example.org", "Ruth Okafor", "monitoring_officer", BUYER, None),
    ("s151@demo.example.org", "Chris Lowe", "s151_officer", BUYER, None),
    ("commissioner@demo.example.org", "Alex Morgan", "commissioner", BUYER, None),
    ("supplier@demo.example.org", "Kim Walsh", "supplier", SUPPLIERS[1], None),
]
