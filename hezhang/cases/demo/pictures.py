"""The demo cases' photos, drawn with Pillow: sky, a far bank with trees and houses, the water, the near bank and
the problem (litter, a heap of rubble, a dark plume, nets, a shed, sand pits, a broken railing or signboard).

Saved as a phone saves them, with the capture time and place in their EXIF.
"""

from __future__ import annotations

import datetime
import io
import math
import random

from django.utils import timezone
from PIL import Image, ImageDraw, ImageOps

from hezhang.cases.demo.specs import Spec
from hezhang.geo.spatial import metres_per_degree

W, H = 640, 480
LITTER = (
    (236, 236, 230),
    (244, 244, 244),
    (40, 90, 170),
    (200, 40, 40),
    (232, 200, 40),
    (30, 30, 30),
    (250, 150, 40),
)
WATERS = {"clean": (84, 118, 118), "murky": (104, 98, 72), "black": (46, 48, 44), "milky": (170, 172, 160)}


def _vary(rng: random.Random, colour, d: int = 12) -> tuple[int, ...]:
    return tuple(max(0, min(255, c + int(rng.uniform(-d, d)))) for c in colour)


def _mix(a, b, t: float) -> tuple[int, ...]:
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))


def _gradient(size: tuple[int, int], top, bottom) -> Image.Image:
    return ImageOps.colorize(Image.linear_gradient("L").resize(size), top, bottom)


def picture(seed: int, category: str, after: bool) -> Image.Image:
    """A phone photo of the place: sky, a far bank with trees and houses, the water, the near bank, the problem.

    The same seed draws the same place, so the after photo shows the before photo's scene, put right.
    """
    rng = random.Random(seed)
    horizon = rng.randint(120, 190)
    image = Image.new("RGB", (W, H))
    image.paste(_gradient((W, horizon), _vary(rng, (150, 175, 200), 15), _vary(rng, (215, 220, 222), 8)))
    draw = ImageDraw.Draw(image)
    far = horizon + rng.randint(12, 24)
    draw.rectangle([0, horizon - 4, W, far], fill=_vary(rng, (128, 120, 92)))
    for _ in range(rng.randint(3, 7)):
        x, w, h = rng.randint(0, W - 40), rng.randint(26, 60), rng.randint(16, 28)
        draw.rectangle([x, horizon - h, x + w, horizon], fill=_vary(rng, (205, 200, 190)))
        roof = rng.choice(((160, 70, 60), (110, 110, 115), (70, 90, 140)))
        draw.polygon(
            [(x - 4, horizon - h), (x + w + 4, horizon - h), (x + w // 2, horizon - h - 12)], fill=roof
        )
    for _ in range(rng.randint(18, 34)):
        x, r = rng.randint(-20, W), rng.randint(10, 26)
        draw.ellipse(
            [x - r, horizon - 2 * r - rng.randint(0, 20), x + r, horizon + 4],
            fill=_vary(rng, (58, 92, 52), 14),
        )
    dirty = {"water_pollution": rng.choice(("murky", "milky", "black")), "black_odorous": "black"}
    water = _vary(rng, WATERS["clean" if after else dirty.get(category, "clean")], 6)
    image.paste(_gradient((W, H - far), _mix(water, (200, 210, 215), 0.35), water), (0, far))
    draw = ImageDraw.Draw(image)
    left = rng.random() < 0.5
    top, bottom = rng.randint(140, 240), rng.randint(300, 400)

    def edge(y: float) -> float:  # how far the near bank reaches into the picture at height y
        return top + (bottom - top) * (y - far) / (H - far)

    def flip(x: float) -> float:
        return x if left else W - x

    draw.polygon(
        [(flip(x), y) for x, y in ((0, far), (top, far), (bottom, H), (0, H))],
        fill=_vary(rng, (134, 118, 86)),
    )
    grass = _vary(rng, (92, 128, 62), 10)
    shades = [_vary(rng, grass, 18) for _ in range(6)]
    u = rng.random
    for k in range(160):
        y = far + u() * (H - far)
        x = flip(u() * edge(y) * 0.9)
        draw.line([(x, y), (x + 4 * u() - 2, y - 3 - 6 * u())], fill=shades[k % 6])
    ripple = _mix(water, (235, 240, 240), 0.35)
    for _ in range(40):
        y, x = far + 4 + u() * (H - far - 4), u() * W
        draw.line([(x, y), (x + 8 + 32 * u(), y)], fill=ripple)
    p = random.Random(seed * 31 + 7)
    y = p.randint(far + 60, H - 40)
    bank = (flip(p.uniform(30, max(40, edge(y) - 50))), y)
    y = p.randint(far + 40, H - 30)
    river = (flip(p.uniform(edge(y) + 40, W - 30)), y)
    _problem(draw, p, category, after, bank, river, water)
    return image


def _blob(draw, p: random.Random, x: float, y: float, r: float, colour) -> None:
    n = p.randint(5, 8)
    points = []
    for k in range(n):
        a, rr = 2 * math.pi * k / n, r * p.uniform(0.6, 1.2)
        points.append((x + rr * math.cos(a), y + rr * math.sin(a) * 0.6))
    draw.polygon(points, fill=colour)


def _problem(draw, p: random.Random, category: str, after: bool, bank, river, water) -> None:
    (bx, by), (wx, wy) = bank, river
    scale = 0.6 + 0.8 * (wy - 200) / 280  # nearer is bigger
    if category in ("damaged_facility", "signboard"):
        if category == "signboard" and after:
            draw.rectangle([bx - 45, by - 70, bx + 45, by - 10], fill=(40, 80, 160))
            draw.line([(bx, by - 10), (bx, by + 20)], fill=(90, 90, 90), width=4)
            for k in range(4):
                draw.line(
                    [(bx - 35, by - 60 + k * 12), (bx + 35, by - 60 + k * 12)], fill=(240, 240, 240), width=2
                )
        elif category == "signboard":
            draw.polygon(
                [(bx - 50, by - 30), (bx + 40, by - 50), (bx + 50, by + 10), (bx - 40, by + 25)],
                fill=(40, 80, 160),
            )
        else:
            for k in range(6):
                x = bx - 100 + k * 40
                lean = 0 if after or k not in (2, 3) else 14
                draw.line([(x, by), (x + lean, by - 40)], fill=(230, 230, 230), width=4)
            draw.line(
                [(bx - 100, by - 40), (bx + (100 if after else -20), by - 40)], fill=(230, 230, 230), width=4
            )
        return
    if after:
        return
    if category in ("floating_garbage", "other"):
        for _ in range(p.randint(40, 80)):
            x, y = wx + p.gauss(0, 60), wy + p.gauss(0, 18)
            _blob(draw, p, x, y, p.randint(6, 14) * scale, p.choice(LITTER))
    elif category in ("bank_garbage", "dumping"):
        heap = (168, 164, 156) if category == "dumping" else (84, 76, 66)  # rubble, or rotting refuse
        for _ in range(p.randint(4, 7)):
            _blob(draw, p, bx + p.gauss(0, 35), by + p.gauss(0, 12), p.randint(22, 46), _vary(p, heap, 20))
        for _ in range(p.randint(30, 60)):
            colour = p.choice(((160, 70, 50), (120, 120, 120))) if category == "dumping" else p.choice(LITTER)
            _blob(draw, p, bx + p.gauss(0, 45), by + p.gauss(0, 16), p.randint(4, 10), colour)
    elif category.startswith("outfall") or category in ("water_pollution", "black_odorous"):
        if category.startswith("outfall"):
            draw.ellipse([bx - 16, by - 16, bx + 16, by + 16], fill=(110, 110, 112))
            draw.ellipse([bx - 10, by - 10, bx + 10, by + 10], fill=(30, 30, 30))
        plume = (140, 70, 50) if category == "outfall_abnormal" else (60, 56, 40)
        for k in range(8):
            _blob(
                draw,
                p,
                wx + k * 10 * p.uniform(-1, 1),
                wy + k * 4,
                30 + k * 6,
                _mix(water, plume, 0.6 - k * 0.05),
            )
    elif category == "illegal_fishing":
        draw.polygon(
            [(wx - 50, wy), (wx + 50, wy), (wx + 35, wy + 16), (wx - 35, wy + 16)], fill=(110, 80, 50)
        )
        draw.line([(wx - 200, wy + 40), (wx + 160, wy + 44)], fill=(40, 40, 40))
        for k in range(12):
            x = wx - 200 + k * 30 + p.randint(-5, 5)
            draw.ellipse([x - 3, wy + 37, x + 3, wy + 43], fill=(230, 120, 30))
    elif category in ("encroachment", "illegal_building"):
        w, h = p.randint(60, 110), p.randint(36, 60)
        draw.rectangle([bx - w // 2, by - h, bx + w // 2, by], fill=(200, 200, 205))
        draw.polygon(
            [(bx - w // 2 - 6, by - h), (bx + w // 2 + 6, by - h), (bx, by - h - 20)], fill=(60, 100, 170)
        )
    elif category in ("sand_mining", "illegal_extraction"):
        for k in range(3):
            x = bx + (k - 1) * 50
            draw.polygon(
                [(x - 40, by), (x + 40, by), (x, by - 35 - p.randint(0, 20))],
                fill=_vary(p, (196, 170, 120), 10),
            )
        draw.rectangle([bx + 60, by - 40, bx + 120, by - 10], fill=(230, 180, 30))
        draw.line(
            [(bx + 90, by - 40), (bx + 140, by - 80), (bx + 160, by - 30)], fill=(200, 150, 20), width=6
        )


def jpeg(image: Image.Image, taken: datetime.datetime, lon: float, lat: float) -> bytes:
    """The photo as a phone saves it: EXIF with the capture time (local, as phones write it) and the GPS fix."""
    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = "HUAWEI", "nova 9"
    exif.get_ifd(0x8769)[0x9003] = timezone.localtime(taken).strftime("%Y:%m:%d %H:%M:%S")
    gps = exif.get_ifd(0x8825)

    def dms(value: float) -> tuple[float, float, float]:
        degrees, rest = divmod(abs(value) * 3600, 3600)
        minutes, seconds = divmod(rest, 60)
        return (float(degrees), float(minutes), round(seconds, 3))

    gps[1], gps[2], gps[3], gps[4] = "N", dms(lat), "E", dms(lon)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=72, exif=exif)
    return out.getvalue()


def shot(spec: Spec, taken: datetime.datetime, after: bool, rng: random.Random) -> tuple[bytes, str]:
    """The photo of the case's place taken at `taken` a few metres off, before or after, and its file name."""
    kx, ky = metres_per_degree(spec.place.lat)
    lon = spec.place.lon + rng.uniform(-8, 8) / kx
    lat = spec.place.lat + rng.uniform(-8, 8) / ky
    data = jpeg(picture(spec.k * 7919 + 13, spec.category.code, after), taken, lon, lat)
    return data, f"IMG_{timezone.localtime(taken):%Y%m%d_%H%M%S}.jpg"
