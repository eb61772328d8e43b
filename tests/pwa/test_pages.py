"""The pages and the files that make the PWA installable and offline-capable."""

import json
import re
import shutil

import pytest

from server import web
from server.paths import PWA_DIR


def test_resident_shell_is_served_in_korean(client):
    with client.get("/") as response:
        assert response.status_code == 200 and response.mimetype == "text/html"
        assert response.headers["Cache-Control"] == "no-cache"
        page = response.get_data(as_text=True)
    assert '<html lang="ko"' in page
    assert 'rel="manifest"' in page and "data-sos" in page


def test_service_worker_is_served_from_the_root_uncached_with_a_version(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.headers["Service-Worker-Allowed"] == "/"
    source = response.get_data(as_text=True)
    assert web.VERSION_PLACEHOLDER not in source
    assert re.search(r'const VERSION = "[0-9a-f]{16}";', source)


def test_shell_version_changes_when_any_pwa_file_changes(tmp_path, monkeypatch):
    copy = tmp_path / "pwa"
    shutil.copytree(PWA_DIR, copy)
    monkeypatch.setattr(web, "PWA_DIR", copy)
    before = web.shell_version(fresh=True)
    assert web.shell_version(fresh=True) == before
    (copy / "static" / "css").mkdir(exist_ok=True)
    with open(copy / "index.html", "a", encoding="utf-8") as f:
        f.write("\n<!-- changed -->\n")
    assert web.shell_version(fresh=True) != before


def test_precache_lists_only_files_that_exist(client):
    source = client.get("/sw.js").get_data(as_text=True)
    listed = re.findall(r'"(/[^"]*)"', source.split("PRECACHE", 1)[1].split("]", 1)[0])
    assert "/" in listed and "/offline.html" in listed
    for path in listed:
        with client.get(path) as response:
            assert response.status_code == 200, path


def test_manifest_is_installable_shaped(client):
    with client.get("/manifest.webmanifest") as response:
        assert response.mimetype == "application/manifest+json"
        manifest = json.loads(response.get_data(as_text=True))
    assert manifest["name"].startswith("안심") and manifest["short_name"]
    assert manifest["display"] == "standalone" and manifest["start_url"].startswith("/")
    sizes = {(icon["sizes"], icon.get("purpose", "any")) for icon in manifest["icons"]}
    assert ("192x192", "any") in sizes and ("512x512", "any") in sizes
    assert any(purpose == "maskable" for _, purpose in sizes)
    for icon in manifest["icons"]:
        with client.get(icon["src"]) as served:
            assert served.status_code == 200 and served.mimetype == icon["type"]


def test_login_redirect_keeps_where_you_were_going(client):
    response = client.get("/console")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/console"


@pytest.mark.parametrize("page", ["index.html", "login.html", "console.html", "guard.html"])
def test_pages_load_no_third_party_resources(page):
    html = (PWA_DIR / page).read_text(encoding="utf-8")
    for url in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert not re.match(r"^(https?:)?//", url), f"{page} loads {url} from elsewhere"
