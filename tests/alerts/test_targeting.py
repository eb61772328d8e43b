"""Who a warning reaches: circles, polygons and 동/구 codes, with points
just inside and just outside, homes by their radius, and neighbours that
only share a border."""

import pytest

from server.alerts import targeting
from server.alerts.models import PushSubscription, SubscriptionArea
from server.extensions import db
from server.facilities.areas import import_areas
from tests.facilities.test_areas import write_areas

M = 1 / 111_320  # a metre of latitude, in degrees
CENTRE = (37.5894, 127.0167)


def subscribe(n: int, **values) -> int:  # type: ignore[no-untyped-def]
    codes = values.pop("codes", [])
    subscription = PushSubscription(endpoint=f"https://push.example.net/{n}", endpoint_hash=f"{n:064d}", p256dh="k", auth="a", **values)
    subscription.areas = [SubscriptionArea(code=c) for c in codes]
    db.session.add(subscription)
    db.session.flush()
    return subscription.id


def reached(areas) -> set[int]:  # type: ignore[no-untyped-def]
    return {int(i) for i in targeting.recipients(targeting.build_target(areas), 3000)}


def test_a_circle_reaches_the_points_inside_it_and_no_further(app):
    with app.app_context():
        inside = subscribe(1, here_lat=CENTRE[0] + 295 * M, here_lon=CENTRE[1])
        outside = subscribe(2, here_lat=CENTRE[0] + 305 * M, here_lon=CENTRE[1])
        east = subscribe(3, here_lat=CENTRE[0], here_lon=CENTRE[1] + 295 * M / 0.7924)
        assert reached({"circles": [{"lat": CENTRE[0], "lon": CENTRE[1], "radius_m": 300}]}) == {inside, east}
        assert outside not in reached({"circles": [{"lat": CENTRE[0], "lon": CENTRE[1], "radius_m": 300}]})


def test_a_home_is_reached_when_the_alert_comes_within_its_radius(app):
    with app.app_context():
        # Homes 700 m north of a 300 m circle: 400 m apart at the edge.
        near = subscribe(1, home_lat=CENTRE[0] + 700 * M, home_lon=CENTRE[1], home_radius_m=420)
        far = subscribe(2, home_lat=CENTRE[0] + 700 * M, home_lon=CENTRE[1], home_radius_m=380)
        assert reached({"circles": [{"lat": CENTRE[0], "lon": CENTRE[1], "radius_m": 300}]}) == {near}
        assert far


def test_a_polygon_reaches_inside_and_not_just_outside(app):
    with app.app_context():
        lat, lon = CENTRE
        square = [[lon, lat], [lon + 0.01, lat], [lon + 0.01, lat + 0.01], [lon, lat + 0.01], [lon, lat]]
        inside = subscribe(1, here_lat=lat + 0.005, here_lon=lon + 10 * M)  # ~8 m inside the west edge
        outside = subscribe(2, here_lat=lat + 0.005, here_lon=lon - 10 * M)
        corner = subscribe(3, here_lat=lat + 0.0101, here_lon=lon + 0.0101)
        assert reached({"polygons": [square]}) == {inside}
        assert {outside, corner}.isdisjoint(reached({"polygons": [square]}))


def test_dong_codes_reach_their_followers_and_the_points_inside_not_the_neighbours(app, tmp_path):
    with app.app_context():
        for path in write_areas(tmp_path):
            import_areas(path)
        # 돈암1동 is 127.00–127.03 × 37.57–37.63 inside 성북구 (127.00–127.06); 종로구 lies west of 127.00.
        follower = subscribe(1, codes=["1129061000"])
        gu_follower = subscribe(2, codes=["11290"])
        neighbour = subscribe(3, codes=["11110"])  # 종로구 shares the 127.00 border
        inside = subscribe(4, here_lat=37.60, here_lon=127.0295)
        beyond = subscribe(5, here_lat=37.60, here_lon=127.0305)
        got = reached({"geocodes": ["1129061000"]})
        assert got == {follower, gu_follower, inside}
        assert {neighbour, beyond}.isdisjoint(got)
        # A circle in 종로구 near the border reaches 종로구's followers, not 돈암1동's.
        assert reached({"circles": [{"lat": 37.60, "lon": 126.99, "radius_m": 300}]}) == {neighbour}


def test_nothing_to_aim_at_is_an_error(app):
    with app.app_context(), pytest.raises(ValueError):
        targeting.build_target({"circles": [], "polygons": [], "geocodes": []})
