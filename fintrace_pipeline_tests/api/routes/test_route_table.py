"""The route table: the API mounted under /api keeps each path's spelling and redirects the other one."""

from fintrace_pipeline_tests.api.conftest import error


def other_spelling(path: str) -> str:
    return path.removesuffix("/") if path.endswith("/") else f"{path}/"


def test_the_other_spelling_of_every_path_redirects_to_the_documented_one(client, document):
    redirected = {}
    for path, operations in document["paths"].items():
        if other_spelling(path) in document["paths"]:
            continue  # /api/files and /api/files/ are two endpoints
        for method in operations:
            response = client.request(method.upper(), f"{other_spelling(path)}?limit=1", follow_redirects=False)
            redirected[f"{method.upper()} {other_spelling(path)}"] = (
                response.status_code,
                response.headers["location"],
            )
    assert redirected == {
        "GET /api/processing-results": (307, "http://testserver/api/processing-results/?limit=1"),
        "GET /api/analytics-results": (307, "http://testserver/api/analytics-results/?limit=1"),
        "GET /api/ml-processing-results": (307, "http://testserver/api/ml-processing-results/?limit=1"),
        "GET /api/processing-progress": (307, "http://testserver/api/processing-progress/?limit=1"),
        "GET /api/processing-progress/stream/": (307, "http://testserver/api/processing-progress/stream?limit=1"),
        "POST /api/files/preview/": (307, "http://testserver/api/files/preview?limit=1"),
        "DELETE /api/files/{data_file_id}/": (307, "http://testserver/api/files/%7Bdata_file_id%7D?limit=1"),
        "GET /api/flagged-transactions": (307, "http://testserver/api/flagged-transactions/?limit=1"),
        "GET /api/flagged-entries": (307, "http://testserver/api/flagged-entries/?limit=1"),
        "GET /api/exports": (307, "http://testserver/api/exports/?limit=1"),
        "GET /api/reports": (307, "http://testserver/api/reports/?limit=1"),
        "GET /api/sample": (307, "http://testserver/api/sample/?limit=1"),
        "GET /api/sources": (307, "http://testserver/api/sources/?limit=1"),
        "GET /api/file-comparison": (307, "http://testserver/api/file-comparison/?limit=1"),
        "GET /api/source-trends": (307, "http://testserver/api/source-trends/?limit=1"),
        "POST /api/references/": (307, "http://testserver/api/references?limit=1"),
        "GET /api/references/": (307, "http://testserver/api/references?limit=1"),
        "POST /api/verdicts": (307, "http://testserver/api/verdicts/?limit=1"),
        "GET /api/verdicts": (307, "http://testserver/api/verdicts/?limit=1"),
        "GET /api/review-queue": (307, "http://testserver/api/review-queue/?limit=1"),
        "GET /api/audit-log": (307, "http://testserver/api/audit-log/?limit=1"),
        "GET /api/ping/": (307, "http://testserver/api/ping?limit=1"),
        "GET /healthz/": (307, "http://testserver/healthz?limit=1"),
    }
    assert client.get("/openapi.json/", follow_redirects=False).headers["location"] == "http://testserver/openapi.json"


def test_the_two_files_endpoints_answer_405_to_each_others_method(client):
    listing = client.get("/api/files")
    error(listing, 405)
    assert listing.headers["allow"] == "POST"
    upload = client.post("/api/files/", files={"file": ("a.csv", b"a\n1\n")})
    error(upload, 405)
    assert set(upload.headers["allow"].split(", ")) == {"GET", "HEAD"}


def test_unknown_paths_under_api_are_json_404(client):
    for path in ("/api/nope", "/api/nope/", "/api/"):
        assert error(client.get(path), 404) == "Not Found"
