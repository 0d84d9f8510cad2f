from tests.conftest import PASSWORD, csrf_token, login


def test_login_page_renders_with_csrf(client):
    html = client.get("/login").get_data(as_text=True)
    assert "Sign in to Tender" in html and 'name="csrf_token"' in html


def test_login_and_see_procurements(client, users):
    resp = login(client, "officer@example.org")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/procurements")
    assert "Procurements" in client.get("/procurements").get_data(as_text=True)


def test_wrong_password_is_refused_with_a_message(client, users):
    resp = login(client, "officer@example.org", "wrong")
    assert resp.status_code == 200
    assert "The email address or password is not right" in resp.get_data(as_text=True)
    assert client.get("/procurements").status_code == 302  # still signed out


def test_bad_email_gets_an_error_summary(client, users):
    token = csrf_token(client)
    resp = client.post("/login", data={"email": "not-an-email", "password": "x",
                                       "csrf_token": token})
    html = resp.get_data(as_text=True)
    assert "There is a problem" in html and 'href="#email"' in html
    assert "<title>Error:" in html


def test_login_without_csrf_token_is_refused(client, users):
    resp = client.post("/login", data={"email": "officer@example.org", "password": PASSWORD})
    assert resp.status_code == 400
    assert "Your form expired" in resp.get_data(as_text=True)
    assert client.get("/procurements").status_code == 302


def test_signed_out_user_is_sent_to_login(client):
    resp = client.get("/procurements")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_supplier_cannot_see_procurements(client, users):
    login(client, "supplier@example.org")
    assert client.get("/procurements").status_code == 403


def test_inactive_user_cannot_sign_in(client, users, app):
    from extensions import db
    users["officer"].active = False
    db.session.commit()
    resp = login(client, "officer@example.org")
    assert resp.status_code == 200
    assert client.get("/procurements").status_code == 302


def test_open_redirect_is_refused(client, users):
    token = csrf_token(client)
    resp = client.post("/login?next=https://evil.example/", data={
        "email": "officer@example.org", "password": PASSWORD, "csrf_token": token})
    assert resp.headers["Location"].endswith("/procurements")


def test_logout_needs_post_with_csrf(client, users):
    login(client, "officer@example.org")
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400  # no CSRF token
    token = csrf_token(client, "/procurements")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/procurements").status_code == 302
