"""Draw the Ansim app icons: a bell inside a shield, amber on night navy.

Writes pwa/static/icons/: icon.svg, icon-192.png, icon-512.png,
maskable-512.png (full-bleed, mark inside the central 80% safe zone),
apple-touch-icon.png (180, opaque: iOS rounds the corners itself) and
favicon.ico (16/32/48, for pages without an icon link, such as the API docs).

The mark is described once, as path segments in a unit square, and turned
both into SVG path data and into polygons for Pillow, so the SVG and the PNGs
cannot drift apart. Pillow is a development tool only:

    pip install pillow && python scripts/make_icons.py
"""

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parent.parent / "pwa" / "static" / "icons"

NIGHT = "#0e1a2b"  # theme_color / background_color in the manifest
AMBER = "#ffc53d"  # the light of a street lamp; high contrast on NIGHT

# Segments in a unit square: ("M", p), ("L", p), ("Q", c, p), ("C", c1, c2, p).
SHIELD = [
    ("M", (0.50, 0.03)),
    ("Q", (0.70, 0.13), (0.90, 0.15)),
    ("L", (0.90, 0.50)),
    ("C", (0.90, 0.75), (0.70, 0.90), (0.50, 0.98)),
    ("C", (0.30, 0.90), (0.10, 0.75), (0.10, 0.50)),
    ("L", (0.10, 0.15)),
    ("Q", (0.30, 0.13), (0.50, 0.03)),
]
BELL = [
    ("M", (0.29, 0.67)),
    ("C", (0.34, 0.62), (0.34, 0.56), (0.34, 0.48)),
    ("C", (0.34, 0.38), (0.41, 0.31), (0.50, 0.31)),
    ("C", (0.59, 0.31), (0.66, 0.38), (0.66, 0.48)),
    ("C", (0.66, 0.56), (0.66, 0.62), (0.71, 0.67)),
]
# (centre x, centre y, radius): the knob on top and the clapper below.
BELL_DOTS = [(0.50, 0.285, 0.04), (0.50, 0.745, 0.055)]


def svg_path(segments, transform):
    """SVG path data for segments, each point passed through transform."""
    parts = []
    for op, *points in segments:
        coords = " ".join("%.2f %.2f" % transform(p) for p in points)
        parts.append(f"{op}{coords}")
    return " ".join(parts) + " Z"


def polygon(segments, transform, steps=48):
    """Points along segments (curves sampled), for ImageDraw.polygon."""
    out, here = [], None
    for op, *pts in segments:
        if op in ("M", "L"):
            here = pts[0]
            out.append(here)
            continue
        for i in range(1, steps + 1):
            t = i / steps
            if op == "Q":
                (cx, cy), (x, y) = pts
                a, b, c = (1 - t) ** 2, 2 * (1 - t) * t, t * t
                out.append((a * here[0] + b * cx + c * x, a * here[1] + b * cy + c * y))
            else:
                (c1x, c1y), (c2x, c2y), (x, y) = pts
                a, b, c, d = (1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t * t, t**3
                out.append((a * here[0] + b * c1x + c * c2x + d * x,
                            a * here[1] + b * c1y + c * c2y + d * y))
        here = pts[-1]
    return [transform(p) for p in out]


def placement(size, scale):
    """Map unit-square points to a centred square of scale * size pixels."""
    offset = size * (1 - scale) / 2
    return lambda p: (offset + p[0] * size * scale, offset + p[1] * size * scale)


def draw_png(size, scale, background, radius=0.0):
    """One icon: background (None = transparent), then shield, then bell."""
    big = size * 4  # supersample, then shrink, for smooth edges
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    if background == "rounded":
        draw.rounded_rectangle((0, 0, big - 1, big - 1), radius=big * radius, fill=NIGHT)
    elif background == "full":
        draw.rectangle((0, 0, big, big), fill=NIGHT)
    at = placement(big, scale)
    draw.polygon(polygon(SHIELD, at), fill=AMBER)
    draw.polygon(polygon(BELL, at), fill=NIGHT)
    for cx, cy, r in BELL_DOTS:
        (x, y), rr = at((cx, cy)), r * big * scale
        draw.ellipse((x - rr, y - rr, x + rr, y + rr), fill=NIGHT)
    return image.resize((size, size), Image.LANCZOS)


def check_safe_zone(scale):
    """Maskable icons may be cropped to a circle of 40% radius: stay inside."""
    at = placement(1.0, scale)
    far = max(((x - 0.5) ** 2 + (y - 0.5) ** 2) ** 0.5 for x, y in polygon(SHIELD, at))
    assert far <= 0.40, f"mark leaves the maskable safe zone ({far:.3f} > 0.40)"


def write_svg(path, scale=0.74, radius=0.22):
    at = placement(512, scale)
    dots = "".join(
        '<circle cx="%.2f" cy="%.2f" r="%.2f" fill="%s"/>' % (*at((cx, cy)), r * 512 * scale, NIGHT)
        for cx, cy, r in BELL_DOTS
    )
    path.write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512" role="img" aria-label="안심">'
        f'<rect width="512" height="512" rx="{512 * radius:.0f}" fill="{NIGHT}"/>'
        f'<path d="{svg_path(SHIELD, at)}" fill="{AMBER}"/>'
        f'<path d="{svg_path(BELL, at)}" fill="{NIGHT}"/>'
        f"{dots}</svg>\n",
        encoding="utf-8",
    )


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    maskable_scale = 0.68
    check_safe_zone(maskable_scale)
    write_svg(OUT / "icon.svg")
    draw_png(192, 0.74, "rounded", radius=0.22).save(OUT / "icon-192.png", optimize=True)
    draw_png(512, 0.74, "rounded", radius=0.22).save(OUT / "icon-512.png", optimize=True)
    draw_png(512, maskable_scale, "full").save(OUT / "maskable-512.png", optimize=True)
    draw_png(180, 0.66, "full").convert("RGB").save(OUT / "apple-touch-icon.png", optimize=True)
    draw_png(256, 0.8, "rounded", radius=0.18).save(OUT / "favicon.ico", sizes=[(16, 16), (32, 32), (48, 48)])
    for f in sorted(OUT.iterdir()):
        print(f.relative_to(OUT.parent.parent.parent), f.stat().st_size, "bytes")


if __name__ == "__main__":
    main()
