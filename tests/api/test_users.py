"""Accounts and organisations, managed by admins."""

from tests.conftest import PASSWORD, Actor, assert_error


def test_admin_creates_a_guard_in_an_organisation_who_can_then_log_in(app, as_):
    admin = as_("admin")
    organisation = admin.post("/api/v1/organisations", json={"name": "성북 자율방범대"}).get_json()
    created = admin.post(
        "/api/v1/users",
        json={
            "display_name": "정순찰",
            "phone": "010 9876 5432",
            "password": "guard password 1",
            "role": "guard",
            "organisation_id": organisation["id"],
            "language": "en",
        },
    )
    assert created.status_code == 201
    user = created.get_json()
    assert user["organisation"] == organisation and user["phone"] == "01098765432" and user["active"]
    guard = Actor(app)
    assert guard.login("01098765432", "guard password 1").get_json()["user"]["language"] == "en"


def test_users_are_listed_by_role_and_search_with_pagination(as_):
    admin = as_("admin")
    for i in range(3):
        admin.post("/api/v1/users", json={"display_name": f"순찰{i}", "email": f"g{i}@example.kr", "password": PASSWORD, "role": "guard"})
    guards = admin.get("/api/v1/users?role=guard&page_size=2")
    assert [u["display_name"] for u in guards.get_json()] == ["순찰0", "순찰1"]
    assert '"total": 3' in guards.headers["X-Pagination"]
    assert [u["email"] for u in admin.get("/api/v1/users?q=g2@").get_json()] == ["g2@example.kr"]
    assert_error(admin.get("/api/v1/users?role=king"), 422, query=["role"])


def test_email_or_phone_is_required(as_):
    admin = as_("admin")
    response = admin.post("/api/v1/users", json={"display_name": "무명", "password": PASSWORD, "role": "guard"})
    assert_error(response, 422, json=["email"])


def test_unknown_organisation_is_refused(as_):
    admin = as_("admin")
    body = {"display_name": "무소속", "email": "x@example.kr", "password": PASSWORD, "role": "guard", "organisation_id": 999}
    assert_error(admin.post("/api/v1/users", json=body), 422, json=["organisation_id"])


def test_admin_cannot_lock_themselves_out(as_):
    admin = as_("admin")
    assert_error(admin.patch(f"/api/v1/users/{admin.user_id}", json={"active": False}), 409)
    assert_error(admin.patch(f"/api/v1/users/{admin.user_id}", json={"role": "guard"}), 409)
    assert admin.patch(f"/api/v1/users/{admin.user_id}", json={"display_name": "새 이름"}).get_json()["display_name"] == "새 이름"


def test_duplicate_organisation_name(as_):
    admin = as_("admin")
    assert admin.post("/api/v1/organisations", json={"name": "안전지킴이"}).status_code == 201
    assert_error(admin.post("/api/v1/organisations", json={"name": "안전지킴이"}), 409, json=["name"])
