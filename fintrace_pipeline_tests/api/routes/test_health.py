"""The health check."""


def test_healthz_ok(client):
    assert client.get("/healthz").json() == {"success": True, "status": "ok"}


def test_ping_answers_without_the_database(client):
    assert client.get("/api/ping").json() == {"success": True, "ping": "pong"}
