"""The app's middleware: CORS headers for the configured origins only, also on a 401."""


def test_cors_headers_for_configured_origins_only(secured):
    allowed = secured.get("/healthz", headers={"Origin": "https://audit.example"})
    assert allowed.headers["access-control-allow-origin"] == "https://audit.example"
    other = secured.get("/healthz", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers
    preflight = secured.options(
        "/api/files/",
        headers={
            "Origin": "https://audit.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization",
        },
    )
    assert preflight.status_code == 200
    unauthorised = secured.get("/api/files/", headers={"Origin": "https://audit.example"})
    assert unauthorised.status_code == 401
    assert unauthorised.headers["access-control-allow-origin"] == "https://audit.example"


def test_no_cors_headers_by_default(client):
    assert "access-control-allow-origin" not in client.get("/healthz", headers={"Origin": "https://x.example"}).headers
