"""The province-scale demo for benchmarks: the demo county plus a Hebei-sized registry around it.

10 more cities, ~170 counties, ~2 000 townships, ~50 000 villages, 1 400 rivers, ~10 000 reaches,
~55 000 chiefs and as many assignments. Counties and townships are simple boxes and villages have no
polygon: the point is volume, written with bulk_create in batches and without history rows.
"""

from __future__ import annotations

import math
import random
import time
from collections import defaultdict

import shapely
from django.db import transaction
from shapely.geometry import shape
from shapely.ops import substring

from hezhang.accounts.models import Role, User
from hezhang.history.context import not_recorded
from hezhang.registry.demo import DEMO_PASSWORD, bulk, layout
from hezhang.registry.demo import names as nm
from hezhang.registry.demo import rivers as rv
from hezhang.registry.demo.county import CITY_CODE, PROVINCE_CODE, Log, build_county, timed
from hezhang.registry.demo.cutting import cut
from hezhang.registry.demo.land import Frame, geojson
from hezhang.registry.demo.people import ELECTION, TOWNSHIP_START
from hezhang.registry.models import (
    ChiefAssignment,
    Department,
    DepartmentKind,
    Office,
    Reach,
    Region,
    WaterBody,
)

CITY_NAMES = (
    "燕山市",
    "滦水市",
    "白洋市",
    "太行市",
    "滹沱市",
    "冀东市",
    "冀中市",
    "桑干市",
    "唐河市",
    "永定市",
)
COUNTY_FIRST = "安永宁广大临武高元隆柏曲成威肃阜故深景饶献泊盐清新平兴定赞"
COUNTY_SECOND = "平安宁城乡阳丰泽河山台邑州水源昌"
RIVERS_TOTAL = 1400
VILLAGES_PER_TOWNSHIP = (24, 26)


def province_present() -> bool:
    return Region.objects.filter(code=_city_code(1)).exists()


def _city_code(k: int) -> str:
    return f"13{int(CITY_CODE[2:4]) + k:02d}00000000"


def build_province(seed: int = 7, log: Log | None = None) -> dict:
    result = build_county(seed, log)
    built = not province_present()
    if built:
        with not_recorded(), transaction.atomic():
            _extend(seed, log)
    from hezhang.registry.demo.accounts import demo_accounts
    from hezhang.registry.demo.summary import counts

    return {"built": built or result["built"], "accounts": demo_accounts(), "counts": counts()}


def _extend(seed: int, log: Log | None) -> None:
    rng = random.Random(seed * 101 + 9)
    t = time.perf_counter()
    counties = _regions(rng)
    t = timed(log, f"全省行政区 province regions ({len(counties)} counties)", t)
    waters = _rivers(rng, counties)
    t = timed(log, f"全省河流与河段 province rivers and reaches ({len(waters)} rivers)", t)
    _organisation(rng, counties)
    t = timed(log, "全省河长办与部门 province offices and departments", t)
    _chiefs(rng, counties, waters)
    timed(log, "全省河长与任命 province chiefs and assignments", t)


class CountyBox:
    """A generated county: its region, township boxes (lon/lat) and villages per township."""

    def __init__(self, region: Region, box, townships: list[Region], boxes: list) -> None:
        self.region = region
        self.box = box
        self.townships = townships
        self.boxes = boxes
        self.villages: dict[int, list[Region]] = {}


def _regions(rng: random.Random) -> list[CountyBox]:
    province = Region.objects.get(code=PROVINCE_CODE)
    demo_city = Region.objects.get(code=CITY_CODE)
    demo_area = shape(demo_city.geometry)
    cities, city_boxes = [], []
    for k, (c, r) in enumerate(layout.slots()[1:], start=1):
        slot = layout.slot_box(c, r)
        cities.append(
            Region(
                code=_city_code(k), name=CITY_NAMES[k - 1], level=2, parent=province, geometry=geojson(slot)
            )
        )
        city_boxes.append(slot)
    bulk.create(Region, cities)

    county_rows, county_boxes = [], []
    demo_slot = layout.slot_box(*layout.DEMO_SLOT)
    plan = [(demo_city, demo_slot, True)] + [
        (city, b, False) for city, b in zip(cities, city_boxes, strict=True)
    ]
    for city, slot, is_demo in plan:
        boxes = [b for b in layout.grid_boxes(slot, 4, 4) if not (is_demo and b.intersects(demo_area))]
        names = nm.UniqueNames()
        codes = iter(["02", "03", "04"] + [f"{n}" for n in range(21, 40) if not (is_demo and n == 23)])
        for k, b in enumerate(boxes):
            code = next(codes) if k < len(boxes) - 1 else "81"
            if code in ("02", "03", "04"):
                name = names.take(
                    rng, lambda r: r.choice(("城中", "城东", "城西", "城南", "城北", "开发")) + "区"
                )
            else:
                stem = names.take(rng, lambda r: r.choice(COUNTY_FIRST) + r.choice(COUNTY_SECOND))
                name = stem + ("市" if code == "81" else "县")
            county_rows.append(
                Region(code=city.path + code + "000000", name=name, level=3, parent=city, geometry=geojson(b))
            )
            county_boxes.append(b)
        if is_demo:
            demo_city.geometry = geojson(shapely.union_all([demo_area, *boxes]))
            demo_city.save()
    bulk.create(Region, county_rows)

    township_rows, out = [], []
    for county, b in zip(county_rows, county_boxes, strict=True):
        boxes = layout.grid_boxes(b, 4, 3)
        names = nm.UniqueNames()
        rows = []
        for k, tb in enumerate(boxes):
            stem = names.take(rng, lambda r: r.choice(nm.TOWNSHIP_STEMS + nm.RIVER_STEMS[:20]))
            suffix, code = ("镇", 101 + k) if k < 8 else ("乡", 193 + k)
            rows.append(
                Region(
                    code=f"{county.path}{code:03d}000",
                    name=stem + suffix,
                    level=4,
                    parent=county,
                    geometry=geojson(tb),
                )
            )
        township_rows += rows
        out.append(CountyBox(county, b, rows, boxes))
    bulk.create(Region, township_rows)

    village_rows = []
    for cb in out:
        for t, township in enumerate(cb.townships):
            names = nm.UniqueNames()
            members = []
            for n in range(rng.randint(*VILLAGES_PER_TOWNSHIP)):
                if n == 0:
                    name, code = township.name[:-1] + "社区", "001"
                else:
                    name, code = names.take(rng, nm.village), f"{200 + n:03d}"
                members.append(Region(code=township.path + code, name=name, level=5, parent=township))
            cb.villages[t] = members
            village_rows += members
    bulk.create(Region, village_rows, batch_size=5000)
    return out


def _rivers(rng: random.Random, counties: list[CountyBox]) -> list[tuple[WaterBody, CountyBox, list[Reach]]]:
    existing = WaterBody.objects.filter(kind="river").count()
    per_county = [(RIVERS_TOTAL - existing) // len(counties)] * len(counties)
    for k in range((RIVERS_TOTAL - existing) % len(counties)):
        per_county[k] += 1
    waters: list[WaterBody] = []
    pieces: list[tuple[int, CountyBox, list]] = []
    for number, (cb, n) in enumerate(zip(counties, per_county, strict=True)):
        west, south, east, north = cb.box.bounds
        frame = Frame((west + east) / 2, (south + north) / 2)
        half_w, half_h = frame.km(east, north)
        boxes_km = [
            shapely.transform(b, lambda c, f=frame: (c - [f.lon0, f.lat0]) * [f.kx, f.ky]) for b in cb.boxes
        ]
        tree = shapely.STRtree(boxes_km)
        names = nm.UniqueNames()
        lines: list[rv.River] = []
        for row in range(3):
            y = half_h - (row + 0.5) * 2 * half_h / 3 + rng.uniform(-2, 2)
            line = rv.meander(
                rng,
                (-half_w + 0.3, y),
                (half_w - 0.3, y + rng.uniform(-3, 3)),
                wander=0.04,
                amplitude=0.5,
                wavelength=(2.5, 5.0),
                step=0.25,
            )
            lines.append(rv.River(len(lines), 1, line))
        while len(lines) < n:
            parent = lines[rng.randrange(3)]
            at = rng.uniform(0.15, 0.9) * parent.line.length
            mouth = parent.line.interpolate(at)
            side = rng.choice((1, -1))
            reach = rng.uniform(4.0, 8.0)
            angle = math.radians(rng.uniform(40, 70))
            sx = max(-half_w + 0.3, min(half_w - 0.3, mouth.x - reach * math.cos(angle)))
            sy = max(-half_h + 0.3, min(half_h - 0.3, mouth.y + side * reach * math.sin(angle)))
            line = rv.meander(
                rng, (sx, sy), (mouth.x, mouth.y), wander=0.08, amplitude=0.2, wavelength=(1.0, 2.0), step=0.2
            )
            lines.append(rv.River(len(lines), 2, line, parent.index, "L" if side > 0 else "R", at))
        letter = chr(ord("A") + number // 100)
        for river in lines:
            name = names.take(rng, lambda r, lv=river.level: nm.river(r, lv))
            code = f"CH{letter}{number % 100:03d}{river.index:02d}{river.level}0{river.side}"
            parts = [p for p in cut(river.line, boxes_km, tree, 0.3) if p.cell is not None]
            region = cb.townships[parts[0].cell] if len({p.cell for p in parts}) == 1 else cb.region
            waters.append(
                WaterBody(
                    kind="river", name=name, code=code, region=region, geometry=frame.geojson(river.line)
                )
            )
            pieces.append((len(waters) - 1, river.level, cb, [(p, frame) for p in parts]))
    bulk.create(WaterBody, waters)
    return _reaches(rng, waters, pieces)


def _reaches(
    rng: random.Random, waters: list[WaterBody], pieces: list
) -> list[tuple[WaterBody, CountyBox, list[Reach]]]:
    rows: list[Reach] = []
    links: set[tuple[int, int]] = set()
    pointer: dict[int, int] = defaultdict(int)
    out = []
    for index, level, cb, parts in pieces:
        water = waters[index]
        mine: list[Reach] = []
        links.add((water.pk, cb.region.pk))
        for piece, frame in parts:
            township = cb.townships[piece.cell]
            villages = cb.villages[piece.cell]
            links.add((water.pk, township.pk))
            k = max(1, min(4 if level == 1 else 2, int(piece.length / 0.8)))
            step = piece.length / k
            for j in range(k):
                village = villages[pointer[township.pk] % len(villages)]
                pointer[township.pk] += 1
                links.add((water.pk, village.pk))
                line = substring(piece.line, j * step, (j + 1) * step)
                landmark = rng.choice(("桥", "闸", "村界"))
                mine.append(
                    Reach(
                        water_body=water,
                        region=village,
                        name=f"{water.name}{village.name}段",
                        code=f"{water.code}-{len(mine) + 1:03d}",
                        start_description=f"自{nm.short_name(village.name)}{landmark}起",
                        end_description="至下游村界止",
                        geometry=frame.geojson(line),
                    )
                )
        rows += mine
        out.append((water, cb, mine))
    bulk.create(Reach, rows, batch_size=5000)
    through = WaterBody.regions.through
    through.objects.bulk_create(
        [through(waterbody_id=w, region_id=r) for w, r in sorted(links)], batch_size=5000
    )
    return out


def _organisation(rng: random.Random, counties: list[CountyBox]) -> None:
    regions = list(Region.objects.filter(level__in=(2, 3, 4)).exclude(office__isnull=False).order_by("code"))
    bulk.create(
        Office,
        [
            Office(
                region=r, name=r.name + "河湖长制办公室", phone=nm.phone(rng), address=f"{r.name}人民政府院内"
            )
            for r in regions
        ],
    )
    rows = []
    for cb in counties:
        for name, kind in (
            ("水利局", DepartmentKind.WATER),
            ("生态环境分局", DepartmentKind.ECOLOGY),
            ("农业农村局", DepartmentKind.AGRICULTURE),
        ):
            rows.append(
                Department(region=cb.region, name=cb.region.name + name, kind=kind, phone=nm.phone(rng))
            )
    bulk.create(Department, rows)


def _chiefs(rng: random.Random, counties: list[CountyBox], waters: list) -> None:
    from django.contrib.auth.hashers import make_password

    password = make_password(DEMO_PASSWORD)
    joined = bulk.when(ELECTION)
    users: list[User] = []

    def chief(username, level, region, position, general=False, role=Role.CHIEF):
        user = User(
            username=username,
            password=password,
            name=nm.person(rng),
            role=role,
            region=region,
            chief_level=level if role == Role.CHIEF else None,
            is_general=general,
            position=position,
            date_joined=joined,
        )
        users.append(user)
        return user

    by_county: dict[int, list] = defaultdict(list)
    for water, cb, reaches in waters:
        by_county[cb.region.pk].append((water, reaches))
    city_chiefs = {}
    for city in Region.objects.filter(level=2).exclude(code=CITY_CODE):
        city_chiefs[city.pk] = chief(f"cc{city.path}", 2, city, city.name + "市长")
    people = []
    for cb in counties:
        county = cb.region
        leaders = [
            chief(f"xc{county.path}1", 3, county, county.name + "委书记", True),
            chief(f"xc{county.path}2", 3, county, county.name + "长", True),
            chief(f"xc{county.path}3", 3, county, county.name + "副县长"),
            chief(f"xc{county.path}4", 3, county, county.name + "副县长"),
        ]
        chief(f"bgs{county.path}", None, county, county.name + "河长办工作人员", role=Role.OFFICE)
        township_chiefs = {
            t.pk: [
                chief(f"zc{t.path}1", 4, t, t.name + "党委书记", True),
                chief(f"zc{t.path}2", 4, t, t.name + "长"),
            ]
            for t in cb.townships
        }
        village_chiefs = {
            v.pk: chief(f"cz{v.code}", 5, v, v.name + "党支部书记") for vs in cb.villages.values() for v in vs
        }
        people.append((cb, leaders, township_chiefs, village_chiefs))
    bulk.create(User, users, batch_size=5000)

    rows: list[ChiefAssignment] = []
    for cb, leaders, township_chiefs, village_chiefs in people:
        county = cb.region
        waters_here = by_county[county.pk]
        if waters_here and county.parent_id in city_chiefs:
            water, _ = waters_here[0]
            rows.append(
                ChiefAssignment(
                    chief=city_chiefs.pop(county.parent_id),
                    water_body=water,
                    region=county.parent,
                    level=2,
                    start_date=TOWNSHIP_START,
                )
            )
        township_reaches: dict[int, list[Reach]] = defaultdict(list)
        for k, (water, reaches) in enumerate(waters_here):
            rows.append(
                ChiefAssignment(
                    chief=leaders[k % 4], water_body=water, region=county, level=3, start_date=TOWNSHIP_START
                )
            )
            seen = set()
            for reach in reaches:
                township_id = reach.region.parent_id
                township_reaches[township_id].append(reach)
                if township_id not in seen:
                    seen.add(township_id)
                    pair = township_chiefs[township_id]
                    rows.append(
                        ChiefAssignment(
                            chief=pair[len(seen) % 2],
                            water_body=water,
                            region=reach.region.parent,
                            level=4,
                            start_date=TOWNSHIP_START,
                        )
                    )
        every = [r for rs in township_reaches.values() for r in rs]
        for t, township in enumerate(cb.townships):
            pool = township_reaches.get(township.pk) or every
            own = {r.region_id: r for r in pool}
            for j, village in enumerate(cb.villages[t]):
                reach = own.get(village.pk) or pool[j % len(pool)]
                note = "村级河长" if reach.region_id == village.pk else "负责本村范围内河段"
                rows.append(
                    ChiefAssignment(
                        chief=village_chiefs[village.pk],
                        water_body=reach.water_body,
                        reach=reach,
                        region=village,
                        level=5,
                        start_date=ELECTION,
                        note=note,
                    )
                )
    ChiefAssignment.objects.bulk_create(rows, batch_size=5000)
