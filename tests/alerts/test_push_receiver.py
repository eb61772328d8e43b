"""The tests' push service itself: it decrypts RFC 8291's worked example and
refuses VAPID headers a push service would refuse."""

import functools
import json
import time

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from tests.alerts.keys import b64url
from tests.push_receiver import VapidError, b64decode, decrypt, point, verify_vapid

# RFC 8291 §5 and Appendix A (base64url), as listed in shared/data/SOURCES.md.
PLAINTEXT = b"When I grow up, I want to be a watermelon"
UA_PRIVATE = "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94"
UA_PUBLIC = "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4"
AUTH_SECRET = "BTBZMqHH6r4Tts7J_aSIgg"
AS_PUBLIC = "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8"
SALT = "DGv6ra1nlYgDCS1FRnbzlw"
BODY = (
    "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_"
    "yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN"
)
# Appendix A's intermediate values.
ECDH_SECRET = "kyrL1jIIOHEzg3sM2ZWRHDRB62YACZhhSlknJ672kSs"
IKM = "S4lYMb_L0FxCeq0WhDx813KgSYqU26kOyzWUdsXYyrg"
PRK = "09_eUZGrsvxChDCGRCdkLiDXrReGOEVeSCdCcPBSJSc"
CEK = "oIhVW04MRdy2XN9CiKLxTg"
NONCE = "4h_95klXJ5E_qnoN"


def test_the_rfc_8291_worked_example_decrypts_through_the_receiver():
    private_key = ec.derive_private_key(int.from_bytes(b64decode(UA_PRIVATE), "big"), ec.SECP256R1())
    assert point(private_key.public_key()) == b64decode(UA_PUBLIC)
    opened = decrypt(b64decode(BODY), private_key, b64decode(AUTH_SECRET))
    assert opened.plaintext == PLAINTEXT
    assert (opened.salt, opened.record_size, opened.sender_public) == (b64decode(SALT), 4096, b64decode(AS_PUBLIC))
    assert [opened.ecdh_secret, opened.ikm, opened.prk, opened.cek, opened.nonce] == [b64decode(v) for v in (ECDH_SECRET, IKM, PRK, CEK, NONCE)]


def test_a_tampered_body_does_not_decrypt():
    private_key = ec.derive_private_key(int.from_bytes(b64decode(UA_PRIVATE), "big"), ec.SECP256R1())
    body = bytearray(b64decode(BODY))
    body[-1] ^= 1
    with pytest.raises(InvalidTag):
        decrypt(bytes(body), private_key, b64decode(AUTH_SECRET))


def _vapid(key: ec.EllipticCurvePrivateKey, **changes) -> str:  # type: ignore[no-untyped-def]
    """A VAPID header made by hand, so it can be wrong in any one way."""
    claims = {"sub": "mailto:ops@example.kr", "aud": "http://127.0.0.1:8080", "exp": int(time.time()) + 3600, **changes}
    signing_input = f"{b64url(json.dumps({'typ': 'JWT', 'alg': 'ES256'}).encode())}.{b64url(json.dumps(claims).encode())}"
    r, s = decode_dss_signature(key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256())))
    return f"vapid t={signing_input}.{b64url(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))},k={b64url(point(key.public_key()))}"


@pytest.mark.parametrize(
    "changes, problem",
    [
        ({}, None),
        ({"aud": "http://127.0.0.1:9999"}, "aud"),
        ({"exp": int(time.time()) - 10}, "exp"),
        ({"exp": int(time.time()) + 25 * 3600}, "exp"),
        ({"sub": "ops@example.kr"}, "sub"),
    ],
)
def test_vapid_headers_are_checked_as_a_push_service_would(changes, problem):
    key = ec.generate_private_key(ec.SECP256R1())
    server_key = b64url(point(key.public_key()))
    check = functools.partial(verify_vapid, _vapid(key, **changes), audience="http://127.0.0.1:8080")
    if problem is None:
        assert check(server_key=server_key)["sub"] == "mailto:ops@example.kr"
    else:
        with pytest.raises(VapidError, match=problem):
            check(server_key=server_key)


def test_a_vapid_header_signed_by_another_key_is_refused():
    key, other = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    header = _vapid(key).replace(f"k={b64url(point(key.public_key()))}", f"k={b64url(point(other.public_key()))}")
    with pytest.raises(VapidError, match="signature"):
        verify_vapid(header, audience="http://127.0.0.1:8080", server_key=b64url(point(other.public_key())))
    with pytest.raises(VapidError, match="application server"):
        verify_vapid(_vapid(key), audience="http://127.0.0.1:8080", server_key=b64url(point(other.public_key())))
