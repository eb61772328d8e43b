"""The safety formula on hand-built streets: each kind of evidence, the risk it adds up to,
and what is read from the database (working facilities only, public recent reports)."""

import datetime as dt
import math

import numpy as np
import pytest

from server.config import defaults
from server.database import utcnow
from server.extensions import db
from server.facilities.models import FacilityKind, FacilityStatus
from server.reports.models import Report, ReportKind, ReportStatus
from server.routing.safety import ALWAYS, NEVER, SafetySettings, minute_of_day, parse_hours
from server.routing.sources import load_facilities, load_reports
from tests.conftest import add_facilities
from tests.routing.streets import DAY, NIGHT, at, evidence, graph, points

ALLEY = ([(0, 0), (200, 0)], {"highway": "residential"})


@pytest.mark.parametrize(
    "text, expected",
    [
        ("24시간", ALWAYS),
        ("24/7", ALWAYS),
        ("08:00-23:00", ((480, 1380),)),
        ("평일 09:00~18:00, 주말 10:00~16:00", ((540, 1080), (600, 960))),
        ("18:00-02:00", ((1080, 1440), (0, 120))),
        ("00:00-24:00", ((0, 1440),)),
        ("문의", ()),
        (None, ()),
        ("25:00-26:00", ()),
    ],
)
def test_opening_hours(text, expected):
    assert parse_hours(text, ()) == expected


def test_time_of_day_is_korean():
    assert minute_of_day(NIGHT) == 23 * 60 + 30
    assert minute_of_day(dt.datetime(2026, 11, 26, 23, 30)) == 23 * 60 + 30  # no zone: Korean time


def test_cameras_cover_the_length_within_30_m():
    g = graph(ALLEY)
    assert evidence(g, {"cctv": points((100, 5))}).cctv[0] == pytest.approx(2 * math.sqrt(30**2 - 5**2) / 200, abs=0.05)
    assert evidence(g, {"cctv": points((100, 35))}).cctv[0] == 0


def test_bells_cover_the_length_within_50_m():
    g = graph(ALLEY)
    assert evidence(g, {"bell": points((100, 45))}).bell[0] == pytest.approx(2 * math.sqrt(50**2 - 45**2) / 200, abs=0.05)


def test_security_lights_per_100_m_or_osm_lit_make_a_street_lit():
    g = graph(ALLEY, ([(0, 100), (200, 100)], {"highway": "residential", "lit": 1}))
    three = evidence(g, {"light": points((50, 10), (100, -10), (150, -10))})
    assert three.lights_per_100m[0] == pytest.approx(1.5) and three.lit[0]
    one = evidence(g, {"light": points((50, 10), (150, 25))})  # the second is too far from the street
    assert one.lights_per_100m[0] == pytest.approx(0.5) and not one.lit[0]
    counted = evidence(g, {"light": points((50, 10), weight=[3.0])})  # one pole, 설치개수 3
    assert counted.lights_per_100m[0] == pytest.approx(1.5) and counted.lit[0]
    assert one.lit[1]  # lit=yes in OSM


def test_safe_paths_are_matched_to_the_streets_they_follow():
    g = graph(([(0, 0), (100, 0), (200, 0)], {}), ([(100, -100), (100, 0)], {}), ([(0, 0), (0, 150)], {}))
    matched = evidence(g, safe_paths=[[(-5, 4), (205, 4)], [(100, -300), (100, 300)]]).safe_path
    lengths = np.round(g.edge_length).tolist()
    # The path along the alley matches its two halves; the line crossing it matches the side street it runs on.
    assert sorted(length for length, m in zip(lengths, matched.tolist(), strict=True) if m) == [100, 100, 100]
    assert not matched[lengths.index(150)]


def test_risk_adds_the_evidence_up_with_the_configured_weights():
    g = graph(([(0, 0), (40, 0)], {"highway": "tertiary", "lit": 1}))
    facilities = {"cctv": points((20, 3)), "bell": points((20, 3)), "safe_house": points((20, 20), hours=[()])}
    full = evidence(g, facilities, safe_paths=[[(0, 0), (40, 0)]])
    # cctv .3 + lit .2 + main road .2 + bell .1 + safe path .1 = .9; the safe house .1 only while open.
    assert full.risk(NIGHT)[1][0] == pytest.approx(0.1)
    assert full.risk(DAY)[1][0] == pytest.approx(0.0)
    reported = evidence(g, facilities, safe_paths=[[(0, 0), (40, 0)]], reports=points((20, 50), weight=[1.0]))
    assert reported.report_level[0] == pytest.approx(1 - math.exp(-1))
    assert reported.risk(NIGHT)[1][0] == pytest.approx(0.1 + 0.3 * (1 - math.exp(-1)))
    bare = evidence(graph(ALLEY))
    assert bare.risk(NIGHT)[1][0] == 1.0


def test_weights_come_from_config_and_are_scaled_to_one():
    settings = SafetySettings.from_config({**defaults(), "ROUTE_SAFETY_WEIGHTS": {"cctv": 2, "lit": 2, "reports": 0.5}})
    assert settings.weights["cctv"] == settings.weights["lit"] == 0.5 and settings.weights["bell"] == 0
    assert settings.weights["reports"] == 0.5
    with pytest.raises(ValueError, match="unknown"):
        SafetySettings.from_config({**defaults(), "ROUTE_SAFETY_WEIGHTS": {"cameras": 1}})


def test_safe_houses_count_while_open_and_unknown_hours_mean_daytime_only():
    g = graph(ALLEY)
    houses = points((50, 10), (150, 10), hours=[(), ALWAYS])
    e = evidence(g, {"safe_house": houses})
    assert e.open_safe_houses(NIGHT).tolist() == [False, True]
    assert e.open_safe_houses(DAY).tolist() == [True, True]
    only_unknown = evidence(g, {"safe_house": points((100, 10), hours=[()])})
    assert only_unknown.risk(DAY)[1][0] == pytest.approx(only_unknown.risk(NIGHT)[1][0] - 0.1)
    closed = evidence(g, {"safe_house": points((100, 10), hours=[NEVER])})
    assert not closed.open_safe_houses(DAY).any()


def test_only_working_facilities_count(app):
    where = at(100, 5)
    with app.app_context():
        working, broken, removed, light, house, closed = add_facilities(
            {"kind": FacilityKind.CCTV, "lat": where[0], "lon": where[1], "location": "골목 입구"},
            {"kind": FacilityKind.CCTV, "lat": where[0], "lon": where[1], "status": FacilityStatus.OUT_OF_ORDER},
            {"kind": FacilityKind.CCTV, "lat": where[0], "lon": where[1], "status": FacilityStatus.REMOVED},
            {"kind": FacilityKind.SECURITY_LIGHT, "lat": where[0], "lon": where[1], "attributes": {"count": 2}},
            {"kind": FacilityKind.SAFE_HOUSE, "lat": where[0], "lon": where[1], "attributes": {"opening_hours": "24시간"}},
            {"kind": FacilityKind.SAFE_HOUSE, "lat": where[0], "lon": where[1], "attributes": {"operating": False}},
        )
        loaded = load_facilities()
    assert loaded["cctv"].ids.tolist() == [working] and loaded["cctv"].labels == ["골목 입구"]
    assert loaded["light"].weight.tolist() == [2.0]
    assert loaded["safe_house"].ids.tolist() == [house, closed]
    assert loaded["safe_house"].hours == [ALWAYS, NEVER]
    assert not {broken, removed, light} & set(loaded["cctv"].ids.tolist())


def test_recent_public_reports_fade_with_age(app):
    now = utcnow()
    stories = [
        (ReportKind.SUSPICIOUS_PERSON, ReportStatus.NEW, 0),
        (ReportKind.ASSAULT, ReportStatus.RESOLVED, 7),
        (ReportKind.DARK_STREET, ReportStatus.FALSE_ALARM, 1),  # not a danger after all
        (ReportKind.SOS, ReportStatus.NEW, 1),  # private
        (ReportKind.WEAPON_SEEN, ReportStatus.NEW, 40),  # too old
    ]
    with app.app_context():
        for n, (kind, status, days) in enumerate(stories):
            db.session.add(Report(kind=kind, status=status, lat=37.59, lon=127.02, idempotency_key=f"fade-{n}", received_at=now - dt.timedelta(days=days)))
        db.session.commit()
        reports = load_reports(SafetySettings.from_config(app.config), now)
    assert len(reports) == 2
    assert sorted(reports.weight.tolist()) == pytest.approx([0.5, 1.0])
