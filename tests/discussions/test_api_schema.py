import pytest

pytestmark = pytest.mark.django_db


def test_comment_and_round_endpoints_are_in_the_openapi_document(client):
    response = client.get("/api/v3/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    comments = paths["/api/v3/discussions/{page_id}/comments/"]
    assert set(comments) == {"get", "post"}
    one = paths["/api/v3/discussions/{page_id}/comments/{comment_id}/"]
    assert set(one) == {"get", "patch", "delete"}
    report = paths["/api/v3/discussions/{page_id}/comments/{comment_id}/report/"]
    assert set(report) == {"post"}
    assert set(paths["/api/v3/rounds/"]) == {"get"}
    assert set(paths["/api/v3/rounds/{round_id}/"]) == {"get"}
