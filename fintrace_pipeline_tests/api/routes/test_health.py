"""The health check."""


def test_healthz_ok(client):
    assert client.get("/healthz").json() == {"success": True, "status": "ok"}
