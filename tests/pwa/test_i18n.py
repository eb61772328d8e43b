"""Korean first, English second: both catalogs cover every key the pages use."""

import json
import re

import pytest

from server.paths import PWA_DIR

CATALOGS = {lang: json.loads((PWA_DIR / "static" / "i18n" / f"{lang}.json").read_text(encoding="utf-8")) for lang in ("ko", "en")}


def _flatten(tree, prefix=""):
    if isinstance(tree, dict):
        for key, value in tree.items():
            yield from _flatten(value, f"{prefix}{key}.")
    else:
        yield prefix[:-1], tree


def test_catalogs_have_the_same_keys_and_no_empty_texts():
    ko, en = (dict(_flatten(CATALOGS[lang])) for lang in ("ko", "en"))
    assert set(ko) == set(en), set(ko) ^ set(en)
    assert all(isinstance(v, str) and v.strip() for v in [*ko.values(), *en.values()])
    # Korean texts are Korean: most contain Hangul.
    hangul = sum(bool(re.search("[\uac00-\ud7a3]", v)) for v in ko.values())
    assert hangul / len(ko) > 0.8


@pytest.mark.parametrize("page", ["index.html", "login.html", "console.html", "guard.html"])
def test_every_key_a_page_uses_is_in_the_catalogs(page):
    html = (PWA_DIR / page).read_text(encoding="utf-8")
    keys = set(re.findall(r'data-i18n="([^"]+)"', html))
    for attr in re.findall(r'data-i18n-attr="([^"]+)"', html):
        keys |= {pair.split(":", 1)[1] for pair in attr.split(";") if ":" in pair}
    known = dict(_flatten(CATALOGS["ko"]))
    assert keys and keys <= set(known), keys - set(known)


def test_every_key_the_scripts_use_is_in_the_catalogs():
    known = dict(_flatten(CATALOGS["ko"]))
    used = set()
    for script in (PWA_DIR / "static" / "js").rglob("*.js"):
        used |= set(re.findall(r"""\bt\(\s*["']([a-zA-Z0-9_.]+)["']""", script.read_text(encoding="utf-8")))
    assert used <= set(known), used - set(known)
