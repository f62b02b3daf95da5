"""The demo county's people: river chief offices, departments, users, chiefs' assignments (past and current) and
delegates' links."""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from typing import TYPE_CHECKING

from django.contrib.auth.hashers import make_password
from pypinyin import lazy_pinyin

from hezhang.accounts.models import Role, User
from hezhang.registry.demo import DEMO_PASSWORD, bulk, delegates
from hezhang.registry.demo import names as nm
from hezhang.registry.demo.accounts import DEMO_ACCOUNTS
from hezhang.registry.models import (
    ChiefAssignment,
    Department,
    DepartmentKind,
    Grid,
    Office,
    Region,
    WaterBodyKind,
)

if TYPE_CHECKING:
    from hezhang.registry.demo.county import Ctx


D = datetime.date
SYSTEM_START = D(2017, 6, 15)  # the county set up its river chief system
ELECTION = D(2021, 4, 20)  # village committees elected
TOWNSHIP_START = D(2021, 8, 20)

# name, kind, case categories it handles
COUNTY_DEPARTMENTS = (
    ("县水利局", DepartmentKind.WATER, ["sand_mining", "encroachment", "flood_control", "water_facility"]),
    ("县生态环境局", DepartmentKind.ECOLOGY, ["pollution", "outfall", "black_odorous"]),
    ("县城市管理综合行政执法局", DepartmentKind.URBAN, ["garbage", "illegal_building"]),
    ("县住房和城乡建设局", DepartmentKind.HOUSING, ["sewage_pipe", "black_odorous"]),
    ("县农业农村局", DepartmentKind.AGRICULTURE, ["livestock", "farmland_runoff", "illegal_fishing"]),
    ("县自然资源和规划局", DepartmentKind.NATURAL_RESOURCES, ["land_occupation", "sand_mining"]),
    ("县公安局", DepartmentKind.POLICE, ["illegal_fishing", "sand_mining", "dumping"]),
    ("县交通运输局", DepartmentKind.TRANSPORT, ["bridge", "road_runoff"]),
)
TOWNSHIP_DEPARTMENTS = (
    ("综合行政执法队", DepartmentKind.URBAN, ["garbage", "illegal_building"]),
    ("农业综合服务中心", DepartmentKind.AGRICULTURE, ["livestock", "farmland_runoff"]),
    ("水利站", DepartmentKind.WATER, ["encroachment", "water_facility"]),
)


class People:
    """Makes users with readable pinyin usernames and one shared password hash (hashing each is slow)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.password = make_password(DEMO_PASSWORD)
        self.taken: set[str] = {u for u, _zh, _en in DEMO_ACCOUNTS}
        self.taken |= set(User.objects.values_list("username", flat=True))
        self.rows: list[User] = []

    def add(
        self, role: str, region: Region, position: str = "", username: str = "", older: bool = True, **kw
    ) -> User:
        name = nm.person(self.rng, older)
        if not username:
            base = "".join(lazy_pinyin(name))
            username, n = base, 2
            while username in self.taken:
                username, n = f"{base}{n}", n + 1
        self.taken.add(username)
        user = User(
            username=username,
            password=self.password,
            name=name,
            role=role,
            region=region,
            position=position,
            phone=nm.mobile(self.rng),
            date_joined=bulk.when(D(2021, 5, 6)),
            **kw,
        )
        self.rows.append(user)
        return user

    def chief(self, level: int, region: Region, position: str, username: str = "", **kw) -> User:
        return self.add(Role.CHIEF, region, position, username, chief_level=level, **kw)


def _township_titles(region: Region) -> tuple[str, str, str]:
    if region.name.endswith("街道"):
        return region.name + "党工委书记", region.name + "办事处主任", region.name + "办事处副主任"
    unit = "镇" if region.name.endswith("镇") else "乡"
    return region.name + "党委书记", region.name + unit + "长", region.name + "副" + unit + "长"


def _village_title(region: Region) -> str:
    if region.name.endswith("社区"):
        return region.name + "党支部书记、居委会主任"
    return region.name + "党支部书记、村委会主任"


def choose_demo_places(ctx: Ctx) -> tuple[int, int]:
    """The demo township (on the main river, with the most reaches) and its village with the most reaches."""
    per_township: dict[int, int] = defaultdict(int)
    per_village: dict[int, int] = defaultdict(int)
    on_main = set()
    for plan, _reach in ctx.reaches:
        if plan.level == "township":
            per_township[plan.cell] += 1
            on_main.add(plan.cell)
            for v in plan.villages:
                per_village[v] += 1
        else:
            per_township[ctx.world.villages[plan.cell].township] += 1
            per_village[plan.cell] += 1
    township = max(sorted(on_main), key=lambda t: per_township[t])
    members = ctx.world.townships[township].villages
    passed = {
        v
        for plan, _ in ctx.reaches
        if plan.level == "township" and plan.cell == township
        for v in plan.villages
    }
    village = max(sorted(members), key=lambda v: (v in passed, per_village[v]))
    return township, village


def organise(ctx: Ctx) -> None:
    rng = random.Random(ctx.seed * 31 + 5)
    _offices(ctx, rng)
    departments = _departments(ctx, rng)
    township, village = choose_demo_places(ctx)
    ctx.extras["demo_township"], ctx.extras["demo_village"] = township, village
    people = People(rng)
    demo_township = ctx.townships[township]
    demo_village = ctx.villages[village]

    people.add(Role.ADMIN, ctx.province, "平台管理员", "admin", is_staff=True, is_superuser=True, older=False)
    people.add(Role.OFFICE, ctx.county, "县河长办副主任", "county_office", older=False)
    people.add(
        Role.OFFICE, demo_township, demo_township.name + "河长办工作人员", "township_office", older=False
    )
    for region in [ctx.province, ctx.city, ctx.county, *ctx.townships]:
        if region.pk != demo_township.pk:
            people.add(Role.OFFICE, region, region.name + "河长办工作人员", older=False)
    water_bureau = departments["县水利局"]
    people.add(Role.DEPARTMENT, ctx.county, "县水利局河湖科科长", "department_staff", department=water_bureau)
    for dept in departments.values():
        if dept.region_id == ctx.county.pk:
            people.add(Role.DEPARTMENT, ctx.county, dept.name + "工作人员", department=dept, older=False)
    county_delegates = [people.add(Role.DELEGATE, ctx.county, "县人大代表", "delegate")]
    for position, region in (
        ("县人大代表", ctx.county),
        ("县政协委员", ctx.county),
        ("县政协委员", ctx.county),
    ):
        county_delegates.append(people.add(Role.DELEGATE, region, position))
    township_delegate = people.add(Role.DELEGATE, demo_township, demo_township.name + "人大代表")

    chiefs = _chiefs(ctx, people, demo_township, demo_village)
    grid_rows = _grids(ctx, people, demo_village)
    bulk.create(User, people.rows)
    bulk.create(Grid, grid_rows)
    _assign(ctx, chiefs)
    delegates.link(ctx, county_delegates, township_delegate, demo_township)


def _offices(ctx: Ctx, rng: random.Random) -> None:
    rows = []
    for region in [ctx.province, ctx.city, ctx.county, *ctx.townships]:
        area = "0311" if region.level == 1 else "0319"
        if region.level == 1:
            address = "石家庄市裕华区水利厅院内"
        elif region.level == 2:
            address = f"{region.name}滨河路{rng.randrange(10, 200)}号市水利局"
        elif region.level == 3:
            address = f"{region.name}人民路{rng.randrange(10, 120)}号县水利局三楼"
        else:
            address = f"{ctx.county.name}{region.name}人民政府院内"
        rows.append(
            Office(
                region=region, name=region.name + "河湖长制办公室", phone=nm.phone(rng, area), address=address
            )
        )
    bulk.create(Office, rows)


def _departments(ctx: Ctx, rng: random.Random) -> dict[str, Department]:
    rows = [
        Department(
            region=ctx.province, name="河北省水利厅", kind=DepartmentKind.WATER, phone=nm.phone(rng, "0311")
        ),
        Department(
            region=ctx.province,
            name="河北省生态环境厅",
            kind=DepartmentKind.ECOLOGY,
            phone=nm.phone(rng, "0311"),
        ),
        Department(region=ctx.city, name="漳滏市水利局", kind=DepartmentKind.WATER, phone=nm.phone(rng)),
        Department(
            region=ctx.city, name="漳滏市生态环境局", kind=DepartmentKind.ECOLOGY, phone=nm.phone(rng)
        ),
    ]
    for name, kind, codes in COUNTY_DEPARTMENTS:
        rows.append(
            Department(region=ctx.county, name=name, kind=kind, phone=nm.phone(rng), category_codes=codes)
        )
    for township in ctx.townships:
        for name, kind, codes in TOWNSHIP_DEPARTMENTS[: rng.choice((2, 3, 3))]:
            rows.append(
                Department(
                    region=township,
                    name=township.name + name,
                    kind=kind,
                    phone=nm.phone(rng),
                    category_codes=codes,
                )
            )
    bulk.create(Department, rows)
    ctx.extras["departments"] = {d.name: d for d in rows}
    ctx.extras["department_by_kind"] = {d.kind: d for d in rows if d.region_id == ctx.county.pk}
    return ctx.extras["departments"]


def _chiefs(ctx: Ctx, people: People, demo_township: Region, demo_village: Region) -> dict:
    c: dict = {}
    c["province"] = people.chief(1, ctx.province, "河北省副省长")
    c["city"] = [
        people.chief(2, ctx.city, ctx.city.name + "市长"),
        people.chief(2, ctx.city, ctx.city.name + "副市长"),
    ]
    county = ctx.county
    c["county_general"] = people.chief(3, county, "县委书记", "county_chief", is_general=True)
    c["county_former"] = people.chief(3, county, "原县委书记（已调任）")
    c["county_head"] = people.chief(3, county, "县长", is_general=True)
    titles = ("常务副县长", "副县长", "副县长", "县委常委、宣传部部长", "县人大常委会副主任", "县政协副主席")
    c["county_deputies"] = [people.chief(3, county, t) for t in titles]
    c["county_deputy_former"] = people.chief(3, county, "原副县长（已退休）")
    c["township"] = {}
    for t, township in enumerate(ctx.townships):
        secretary, head, deputy = _township_titles(township)
        demo = township.pk == demo_township.pk
        row = {
            "secretary": people.chief(
                4, township, secretary, "township_chief" if demo else "", is_general=True
            ),
            "head": people.chief(4, township, head),
            "deputies": [people.chief(4, township, deputy) for _ in range(ctx.rng.choice((1, 2)))],
            "former": None,
        }
        if demo or t % 3 == 1:
            row["former"] = people.chief(4, township, "原" + head + "（已调任）")
        c["township"][t] = row
    c["village"] = {}
    for v, village in enumerate(ctx.villages):
        demo = village.pk == demo_village.pk
        row = {
            "chief": people.chief(5, village, _village_title(village), "village_chief" if demo else ""),
            "former": None,
        }
        if demo or v % 9 == 4:
            row["former"] = people.chief(5, village, "原" + _village_title(village))
        c["village"][v] = row
    return c


def _grids(ctx: Ctx, people: People, demo_village: Region) -> list[Grid]:
    rows = []
    for v, village in enumerate(ctx.villages):
        for k, shape in enumerate(ctx.world.villages[v].grids, start=1):
            demo = village.pk == demo_village.pk and k == 1
            member = people.add(
                Role.GRID, village, village.name + "网格员", "grid_member" if demo else "", older=False
            )
            rows.append(
                Grid(
                    region=village,
                    code=f"{village.code}{k:02d}",
                    name=f"{village.name}第{nm.numeral(k)}网格",
                    member=member,
                    geometry=ctx.world.frame.geojson(shape),
                )
            )
    return rows


def _assign(ctx: Ctx, c: dict) -> None:
    rows: list[ChiefAssignment] = []

    def add(chief, water, reach, region, level, start, end=None, note=""):
        rows.append(
            ChiefAssignment(
                chief=chief,
                water_body=water,
                reach=reach,
                region=region,
                level=level,
                start_date=start,
                end_date=end,
                note=note,
            )
        )

    main = ctx.rivers[0]
    add(c["province"], main, None, ctx.province, 1, D(2023, 3, 1), note="省级河长")
    add(c["city"][0], main, None, ctx.city, 2, D(2021, 9, 1), note="市级河长")
    county_waters = [
        w for i, w in sorted(ctx.rivers.items()) if i != 0 and w.region_id != ctx.county.pk and i < 2
    ]
    for water in county_waters:
        add(c["city"][1], water, None, ctx.city, 2, D(2021, 9, 1), note="市级河长")
    add(c["county_former"], main, None, ctx.county, 3, SYSTEM_START, D(2021, 10, 7), "工作调动，离任")
    add(c["county_general"], main, None, ctx.county, 3, D(2021, 10, 8), note="县总河长，兼任滏清河县级河长")
    big = [
        w
        for i, w in sorted(ctx.rivers.items())
        if i != 0 and (w.kind == WaterBodyKind.CANAL and w.parent_id is None or _is_big(ctx, i, w))
    ]
    big += [w for w in ctx.surfaces.values() if w.kind in (WaterBodyKind.LAKE, WaterBodyKind.RESERVOIR)]
    add(c["county_head"], big[0], None, ctx.county, 3, D(2021, 6, 1), note="县总河长")
    deputies = c["county_deputies"]
    for k, water in enumerate(big[1:]):
        chief = deputies[k % len(deputies)]
        if k == 0:
            add(
                c["county_deputy_former"],
                water,
                None,
                ctx.county,
                3,
                SYSTEM_START,
                D(2023, 2, 28),
                "到龄退休",
            )
            add(chief, water, None, ctx.county, 3, D(2023, 3, 1), note="接任")
        else:
            add(chief, water, None, ctx.county, 3, D(2021, 11, 15))

    # Townships: the secretary takes the main river's reach; the others the rest of the township's waters.
    township_waters: dict[int, list] = defaultdict(list)
    for plan, reach in ctx.reaches:
        if plan.level == "township":
            row = c["township"][plan.cell]
            add(row["secretary"], main, reach, ctx.townships[plan.cell], 4, TOWNSHIP_START, note="乡级河长")
            for v in plan.villages:
                village = ctx.villages[v]
                note = f"负责{reach.name}在{village.name}境内的河道"
                add(c["village"][v]["chief"], main, reach, village, 5, ELECTION, note=note)
        else:
            t = ctx.world.villages[plan.cell].township
            water = ctx.water(plan)
            if water not in township_waters[t]:
                township_waters[t].append(water)
            _village_chiefs(add, c["village"][plan.cell], water, reach, ctx.villages[plan.cell])
    for t, waters in township_waters.items():
        row = c["township"][t]
        pool = [row["head"], *row["deputies"]]
        for k, water in enumerate(waters):
            # The township's general chief takes its biggest water besides the main river; the others share the rest.
            chief = row["secretary"] if k == 0 or water.pk == ctx.rivers[1].pk else pool[(k - 1) % len(pool)]
            if row["former"] is not None and chief is row["head"]:
                add(
                    row["former"],
                    water,
                    None,
                    ctx.townships[t],
                    4,
                    TOWNSHIP_START,
                    D(2023, 6, 30),
                    "工作调动，离任",
                )
                add(chief, water, None, ctx.townships[t], 4, D(2023, 7, 1), note="接任")
            else:
                add(chief, water, None, ctx.townships[t], 4, TOWNSHIP_START)
    bulk.create(ChiefAssignment, rows)


def _village_chiefs(add, row: dict, water, reach, village: Region) -> None:
    if row["former"] is not None:
        add(row["former"], water, reach, village, 5, D(2018, 3, 1), D(2021, 4, 19), "村“两委”换届，离任")
    add(row["chief"], water, reach, village, 5, ELECTION, note="村级河长")


def _is_big(ctx: Ctx, index: int, water) -> bool:
    """Rivers with a county-level chief: the first-level ones, and long second-level ones crossing townships."""
    river = ctx.world.rivers[index]
    if river.kind != "river":
        return False
    crosses_townships = water.region_id == ctx.county.pk
    return river.level <= 1 or (river.level == 2 and crosses_townships and river.line.length > 7.0)
