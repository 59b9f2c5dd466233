"""The web banking's shell and assets, served by the API process (api/web.py)."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_every_portal_path_answers_the_shell_with_a_strict_policy(client: TestClient) -> None:
    for path in ("/banca/", "/banca/productos/cuentas/410112060750", "/oficial", "/firma/abc"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert '<script type="module" src="/static/app/main.js">' in response.text
        assert "script-src 'self'" in response.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        assert response.headers["referrer-policy"] == "no-referrer"  # signing tokens in paths
        assert response.headers["cache-control"] == "no-store"


def test_home_and_the_loan_email_link_redirect_into_the_portal(client: TestClient) -> None:
    assert client.get("/", follow_redirects=False).headers["location"] == "/banca/"
    loan = client.get("/creditos/0118958000", follow_redirects=False)
    assert loan.status_code == 307
    assert loan.headers["location"] == "/banca/productos/creditos/0118958000"


def test_assets_are_served_and_unknown_api_paths_stay_json(client: TestClient) -> None:
    script = client.get("/static/app/main.js")
    assert script.status_code == 200
    assert "javascript" in script.headers["content-type"]
    assert client.get("/static/vendor/preact-htm-3.1.1.js").status_code == 200
    missing = client.get("/api/v1/no-such-thing")
    assert missing.status_code == 404
    assert missing.json()["code"] == "RECURSO_NO_ENCONTRADO"
    assert client.get("/static/../bank/core/settings.py").status_code == 404
