"""GET /api/v1/health and the OpenAPI document."""

from server.extensions import db
from server.version import __version__


def test_health_reports_database_and_version(client):
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok" and body["database"] == "ok"
    assert body["version"] == __version__
    assert body["database_backend"] in {"sqlite", "postgresql"}


def test_health_says_503_when_the_database_is_gone(tmp_path):
    from server import create_app
    from tests.conftest import base_config

    app = create_app(base_config(tmp_path, SQLALCHEMY_DATABASE_URI="postgresql+psycopg://nobody@127.0.0.1:1/none"))
    response = app.test_client().get("/api/v1/health")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"
    with app.app_context():
        db.engine.dispose()


def test_openapi_document_lists_the_api(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    assert "/api/v1/health" in spec["paths"]
    assert "/api/v1/auth/login" in spec["paths"]
    assert {"session", "device", "csrf"} <= set(spec["components"]["securitySchemes"])
    assert "Error" in spec["components"]["schemas"]


def test_interactive_docs_load_from_this_server_only(client):
    page = client.get("/api/v1/docs").get_data(as_text=True)
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in page
    assert "http://" not in page and "https://" not in page  # no CDN
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
        with client.get(f"/static/vendor/swagger-ui/{asset}") as response:
            assert response.status_code == 200


def test_the_app_learns_its_district_map_and_photo_limit(tmp_path):
    from tests.conftest import make_app

    app = make_app(tmp_path, MAX_PHOTO_BYTES=3 * 1024 * 1024, DISTRICT_NAME="종로구")
    config = app.test_client().get("/api/v1/config").get_json()
    assert config["limits"] == {"max_photo_bytes": 3 * 1024 * 1024}
    assert config["district"]["name"] == "종로구" and len(config["map"]["center"]) == 2
