"""The web banking's shell and assets, served by the API process (api/web.py)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from bank.core.settings import ApiSettings


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


def test_production_answers_every_response_with_hsts(api_settings: ApiSettings) -> None:
    """Pages, assets, API answers and errors: HTTPS only, a year, subdomains included."""
    from api.main import create_app

    production = api_settings.model_copy(
        update={"environment": "production", "secret_key": "p" * 48, "dev_outbox": False}
    )
    with TestClient(create_app(production)) as client:
        for path in ("/banca/", "/static/app/main.js", "/api/v1/health", "/api/v1/position"):
            response = client.get(path)
            assert response.headers["strict-transport-security"] == (
                "max-age=31536000; includeSubDomains"
            ), path
    assert (
        "strict-transport-security"
        not in TestClient(create_app(api_settings)).get("/banca/").headers
    )  # the embedded run and the tests are plain HTTP on loopback
