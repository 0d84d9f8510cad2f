"""The results page explains the robustness figure, including a flip by exclusion."""
import re

from tests.conftest import login


def test_demo_lot_b_flip_names_the_exclusion(app, client):
    assert app.test_cli_runner().invoke(args=["demo", "load"]).exit_code == 0
    from demo.people import DEMO_PASSWORD
    login(client, "officer@demo.example.org", DEMO_PASSWORD)
    html = client.get("/evaluation/SCO-DA-2023/lots/B/results").get_data(as_text=True)
    flip = re.sub(r"\s+", " ", re.search(r'id="flip">(.*?)</dd>', html, re.S).group(1))
    assert flip == ("Changing Victim Support's consensus score on VFM1 from 5.00 to 1.99 "
                    "(a change of 3.01), below the criterion's minimum of 2.00 and so "
                    "excluding the bid, would make Northfield Change Partnership CIC the winner.")
    assert "31.50 points" in html
