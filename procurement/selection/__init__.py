"""The selection stage: the selection questionnaire (SQ), its answers and marks, and each
bidder's financial standing (Commercial Delphi score, two years of accounts, the outcome).

`rules.py` and `financial_rules.py` are pure; `models.py` holds the records, `services.py`
writes them (each with its audit record) and feeds `Bid.selection` / `selection_reason` and
`Bid.delphi_score` / `financial` / `financial_reason`, which the results engine, the decision
note, the letters and the OCDS release read.
"""
