"""Demo cases: a season of problems in the demo county, each moved through the real workflow.

`build_cases()` fills the county that the registry's demo builder made (found through the demo accounts, not by
name) with ~240 cases over the last 90 days: reported from every channel at points by the rivers and in the ponds,
routed by `create_case`, then accepted, assigned, handled, verified, closed and rated — or rejected, merged, sent
back, returned, urged, supervised, escalated, shelved as long-term, left overdue, reopened — by the county's own
people through `workflow.perform`, the only way a case moves. Photos are drawn (sky, water, a bank, the problem)
and carry the capture time and place in their EXIF, as a phone writes them.

The history happened in the past, but the workflow stamps `timezone.now()`: each step runs under `clock(at)`,
which stops Django's clock at that moment. Stopping the clock, rather than giving the workflow a `now` argument,
keeps the demo on exactly the code path a real user takes and leaves production code without a test-only door.
"""

from __future__ import annotations

import contextlib
import datetime
import io
import math
import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import shapely
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw, ImageOps
from shapely.geometry import Point, shape

from hezhang.accounts.models import Role, User
from hezhang.cases import notices, workflow
from hezhang.cases.intake import attach_photo, create_case
from hezhang.cases.models import Case, CaseCategory, CaseEvent, CasePhoto, CaseState
from hezhang.geo.spatial import metres_per_degree
from hezhang.history.context import not_recorded
from hezhang.registry.demo.accounts import DEMO_ACCOUNTS
from hezhang.registry.models import ChiefAssignment, Department, Office, Reach, Region

MARK = "demo-"  # the client id of every demo case: how a second build knows they are there
DAYS = 88  # the public map shows the last 90 days
DAY = datetime.timedelta(days=1)
HOUR = datetime.timedelta(hours=1)

CATEGORIES = {
    "floating_garbage": 20,
    "bank_garbage": 17,
    "dumping": 10,
    "water_pollution": 8,
    "illegal_fishing": 7,
    "outfall_direct": 5,
    "encroachment": 5,
    "illegal_building": 4,
    "damaged_facility": 4,
    "signboard": 3,
    "sand_mining": 3,
    "outfall_dry_weather": 3,
    "black_odorous": 3,
    "illegal_extraction": 2,
    "outfall_abnormal": 2,
    "outfall_new": 1,
    "other": 1,
}
CHANNELS = {"public": 45, "patrol": 25, "hotline": 15, "inspection": 10, "delegate": 5}
# What each channel tends to bring: inspections find the 四乱, delegates pass on pollution, patrols see everything.
LEANINGS = {
    "inspection": {
        "encroachment": 4,
        "illegal_building": 4,
        "dumping": 2,
        "sand_mining": 3,
        "outfall_direct": 2,
    },
    "delegate": {"black_odorous": 5, "water_pollution": 3, "outfall_direct": 3},
    "patrol": {"signboard": 3, "damaged_facility": 2, "bank_garbage": 1.5},
}
URGENT = {"water_pollution": 0.3, "outfall_abnormal": 0.4, "illegal_fishing": 0.25, "sand_mining": 0.3}
LASTING = (
    "black_odorous",
    "encroachment",
    "illegal_building",
    "outfall_direct",
    "dumping",
    "damaged_facility",
)
ON_WATER = {
    "floating_garbage",
    "water_pollution",
    "black_odorous",
    "illegal_fishing",
    "outfall_abnormal",
    "other",
}
# Who handles what: kinds of county department (their staff are the demo's handlers), or the village chief.
HANDLERS = {
    "floating_garbage": (("urban", 6), ("chief", 4)),
    "bank_garbage": (("urban", 6), ("chief", 4)),
    "dumping": (("urban", 6), ("water", 3), ("police", 1)),
    "water_pollution": (("ecology", 1),),
    "black_odorous": (("housing", 1), ("ecology", 1)),
    "illegal_fishing": (("agriculture", 7), ("police", 3)),
    "encroachment": (("water", 1),),
    "illegal_building": (("water", 6), ("housing", 2), ("urban", 2)),
    "sand_mining": (("water", 6), ("natural_resources", 3), ("police", 1)),
    "illegal_extraction": (("natural_resources", 7), ("water", 3)),
    "damaged_facility": (("water", 1),),
    "signboard": (("water", 1),),
    "other": (("water", 1),),
}
# fate: share of the cases; the rest are closed, and one is reopened by its reporter.
FATES = {
    "new": 0.04,
    "accepted": 0.03,
    "assigned": 0.045,
    "in_progress": 0.07,
    "overdue": 0.045,
    "completed": 0.04,
    "verified": 0.02,
    "long_term": 0.035,
    "rejected": 0.06,
    "merged": 0.025,
}
# How long after its last step (or, overdue, its deadline) each fate has been waiting, in days.
WAITS = {
    "new": (0.02, 2.5),
    "accepted": (0.05, 3.0),
    "assigned": (0.05, 4.0),
    "in_progress": (0.05, 12.0),  # and before its deadline
    "overdue": (0.3, 5.0),
    "completed": (0.05, 5.0),
    "verified": (0.05, 3.0),
    "long_term": (2.0, 70.0),
    "rejected": (0.1, DAYS),
    "closed": (0.2, DAYS),
    "reopened": (0.2, 1.5),
}
HOURS = {"public": (7, 21), "patrol": (8, 17), "hotline": (8, 18), "inspection": (9, 16), "delegate": (9, 17)}

# Texts ----------------------------------------------------------------------------------------------------------
# category: (short title, description, what was done); {p} the place, {s} 河面/水面, {a} m², {m} m³, {l} m, {d} cm, {n}

TEXTS = {
    "floating_garbage": (
        (
            "漂浮垃圾",
            "{p}{s}漂浮生活垃圾约{a}平方米，有塑料袋、泡沫饭盒和饮料瓶",
            "已组织保洁人员打捞漂浮垃圾约{m}立方米，{s}已清理干净",
        ),
        (
            "水草垃圾聚集",
            "{p}{s}聚集大量水草和漂浮垃圾，天热后有异味",
            "已打捞水草及垃圾约{m}立方米，运至垃圾中转站处理",
        ),
        ("漂浮物堆积", "{p}{s}漂浮物堆积约{a}平方米，多日无人打捞", "已清理漂浮物，并安排保洁员每日巡查打捞"),
    ),
    "bank_garbage": (
        ("岸坡垃圾", "{p}岸坡堆有生活垃圾约{m}立方米，无人清理", "已清运岸坡垃圾约{m}立方米，岸坡已恢复整洁"),
        (
            "岸边倾倒垃圾",
            "{p}岸边有村民倾倒的烂菜叶、秸秆和塑料袋",
            "已清理岸边垃圾，并在村内广播提醒不得向河道倾倒",
        ),
        (
            "堤坡垃圾",
            "{p}堤坡散落塑料瓶、包装袋等垃圾，长约{l}米",
            "已组织人员清捡堤坡垃圾，纳入村保洁日常范围",
        ),
    ),
    "dumping": (
        (
            "倾倒建筑垃圾",
            "{p}河道管理范围内堆放建筑垃圾约{m}立方米",
            "已调派铲车清运建筑垃圾约{m}立方米，并对倾倒人立案处罚",
        ),
        (
            "夜间倾倒渣土",
            "有车辆夜间在{p}倾倒渣土，已堆成小山，侵占行洪断面",
            "已清运渣土，查实倾倒车辆，责令恢复原状",
        ),
        (
            "堆放物料",
            "{p}堤脚堆放砖块、水泥预制件等物料，长约{l}米",
            "已责令物料所有人清走全部物料，现场已恢复",
        ),
    ),
    "water_pollution": (
        ("河水发黑", "{p}河水发黑发臭，{s}有油花", "已溯源排查，封堵上游私设排口一处，水质已好转"),
        (
            "水体发白",
            "{p}水体呈乳白色，疑似上游有企业偷排",
            "经监测取样，查实一家豆制品作坊偷排废水，已立案查处并停产整改",
        ),
        (
            "出现死鱼",
            "{p}河段出现大量死鱼，约{n}十条",
            "已打捞死鱼并无害化处理，取样检测溶解氧偏低，已加强监测",
        ),
    ),
    "black_odorous": (
        (
            "水体黑臭",
            "{p}河段水体黑臭，夏季气味明显，周边居民反映强烈",
            "已完成截污和清淤，水体黑臭现象已消除",
        ),
        ("底泥上翻", "{p}{s}发黑，底泥上翻冒泡", "已实施清淤约{m}立方米，并补水换水"),
    ),
    "outfall_direct": (
        ("管道直排污水", "{p}有一根直径约{d}厘米的管道向河内直排污水", "已封堵直排管道，污水接入村污水管网"),
        ("排口排放生活污水", "{p}排水口向河道排放生活污水，水色浑浊", "已对排口实施截污，接入污水处理站"),
    ),
    "outfall_dry_weather": (
        (
            "雨水口晴天排水",
            "连续多日未下雨，{p}雨水排口仍在排水，水色发灰",
            "查实上游有商户雨污混接，已完成改造",
        ),
    ),
    "outfall_abnormal": (
        ("排口出水异常", "{p}排污口出水呈红褐色，有刺鼻气味", "已责令企业停产排查，出水恢复正常，已取样送检"),
    ),
    "outfall_new": (
        (
            "新增排水管",
            "{p}岸坡新埋设一根排水管，未设置标识牌",
            "经核实为农田排水管，已补设排口标识牌并登记入册",
        ),
    ),
    "illegal_fishing": (
        ("电鱼", "有人在{p}用电瓶电鱼", "已会同派出所现场查处，没收电鱼工具一套"),
        ("地笼网捕鱼", "{p}{s}设置地笼网{n}余条", "已清除地笼网{n}余条，并张贴禁渔通告"),
        ("拦河网", "{p}{s}有人架设拦河网捕鱼", "已拆除拦河网，对当事人进行批评教育"),
    ),
    "encroachment": (
        (
            "滩地种植",
            "{p}有人在河道管理范围内种植玉米，侵占滩地约{n}亩",
            "已与种植户签订清退承诺，青苗已清除",
        ),
        ("圈占岸线", "{p}岸线被圈占养鸡，搭建围栏约{l}米", "已拆除围栏{l}米，岸线已恢复"),
    ),
    "illegal_building": (
        ("违建彩钢房", "{p}河道管理范围内新建彩钢房一处，约{a}平方米", "已依法拆除彩钢房，建筑垃圾已清运"),
        ("临河搭建棚屋", "{p}临河搭建简易棚屋用于堆放杂物", "已拆除棚屋并清理杂物"),
    ),
    "sand_mining": (
        ("夜间采砂", "夜间有挖掘机在{p}河床挖砂，现场有运砂车辆", "已联合执法查扣挖掘机一台，砂坑已回填"),
        ("河床砂坑", "{p}河床出现多处新挖砂坑", "已回填砂坑，在路口设置限高杆并加强夜间巡查"),
    ),
    "illegal_extraction": (
        ("堤坡取土", "{p}堤坡被挖土取土，形成约{l}米长陡坎", "已责令恢复堤坡原状，并对取土人予以处罚"),
    ),
    "damaged_facility": (
        ("护栏损坏", "{p}护栏损坏约{l}米，存在安全隐患", "已修复护栏{l}米"),
        ("井盖缺失", "{p}检修井盖缺失，行人容易踩空", "已更换井盖并设置警示标志"),
        ("闸门锈蚀", "{p}闸门启闭机锈蚀，无法正常启闭", "已除锈保养并更换启闭机零件，闸门启闭正常"),
    ),
    "signboard": (
        ("公示牌倾倒", "{p}河长公示牌倾倒", "已重新加固安装公示牌"),
        ("公示牌信息过期", "{p}河长公示牌上的河长已调整，电话无法接通", "已更新公示牌河长信息和监督电话"),
        ("公示牌字迹褪色", "{p}公示牌字迹褪色，无法辨认", "已更换公示牌面板"),
    ),
    "other": (
        ("死禽漂浮", "{p}{s}有死鸡漂浮，疑似附近养殖户丢弃", "已打捞死禽并无害化处理，对养殖户进行了教育"),
        ("焚烧秸秆", "{p}堤上有人焚烧秸秆和垃圾", "已扑灭余火并清理灰烬，村委会已加强宣传"),
    ),
}
LANDMARKS = (
    "东桥下",
    "西桥头",
    "南侧排水渠入河口",
    "北养殖场旁",
    "村口漫水桥下游约{n}0米",
    "小学后身",
    "砖厂旧址旁",
    "机井房附近",
    "党群服务中心东侧",
    "东南堤坝",
    "西北河湾处",
    "生产桥上游",
)
CORNERS = ("东北角", "西岸", "南侧入水口", "北岸码头", "东岸", "西南角")
SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢"
)
NOTES = {
    "accept": ("", "", "已受理，请相关部门核实处理"),
    "assign": (
        "请按期处置，办结时上传处置后照片",
        "请尽快核实处理并反馈结果",
        "群众反映的问题，请高度重视，按期办结",
    ),
    "start": ("已签收，安排人员赴现场核实", "已签收", "已签收，正在协调处置力量"),
    "progress": (
        "已到现场核实，问题属实，正在组织处置",
        "已约谈相关责任人，责令限期整改",
        "已调派机械，预计近日完成",
    ),
    "send_back": ("经核实该问题不属于本单位职责，请重新交办",),
    "transfer": ("经会商，该问题由其他部门牵头办理更为合适，予以转办",),
    "return": (
        "现场核查发现仍有少量残留，请彻底清理后重新办结",
        "处置后照片不能反映整改情况，请补充现场照片",
        "整改不到位，请继续处置",
    ),
    "approve": ("", "现场核查，问题已整改到位", "经核查属实，整改到位"),
    "close": ("经核查整改到位，予以结案", ""),
    "urge": ("该案件即将到期，请加快办理", "请于今日反馈办理进展"),
    "supervise": (
        "群众反映强烈，县河长办挂牌督办，请按期整改到位并报送整改情况",
        "该问题已纳入县级督办清单，请主要负责同志亲自过问",
    ),
    "extend_request": ("需协调机械设备和周边群众，申请延期{n}天", "涉及多部门联合执法，申请延期{n}天"),
    "long_term": (
        "涉及历史遗留问题，需纳入年度整治计划，挂账督办、逐月销号",
        "需申请专项资金实施清淤治理，挂账督办",
        "需待汛期过后实施，挂账督办",
    ),
    "long_progress": ("整治方案已报县政府审定", "已完成施工招标，近期进场", "已完成工程量约三成，按计划推进"),
    "reject": (
        "经现场核实，该位置不在河道管理范围内，已告知属地村委会处理",
        "经核实问题已于上报前整改完毕，不予受理",
        "上报照片与描述不符，现场未发现所述问题",
        "反映的是道路积水问题，不属于河湖管理事项，已转城管部门",
    ),
    "public_reopen": ("垃圾又出现了，没有彻底清理，希望再处理一下",),
}
RATINGS = {
    "satisfied": ("处理很及时，点赞！", "河面干净了，谢谢", "", ""),
    "fair": ("处理了，但是比较慢", ""),
    "unsatisfied": ("问题没有彻底解决",),
}


# The clock --------------------------------------------------------------------------------------------------------


@contextlib.contextmanager
def clock(at: datetime.datetime):
    """Stop Django's clock at `at` while the block runs: the workflow stamps events with `timezone.now()`.

    Process-wide, so nothing else may run meanwhile (`hezhang demo` pauses the in-process job runner). Model
    defaults (`Case.created_at`, `CaseEvent.at`) hold the real function, so `build_cases` sets a report's
    times afterwards.
    """
    real = timezone.now
    timezone.now = lambda: at
    try:
        yield
    finally:
        timezone.now = real


@contextlib.contextmanager
def quiet():
    """No notifications: 240 cases' worth of history would flood the bells and the SMS outbox."""
    real = notices.after
    notices.after = lambda event: None
    try:
        yield
    finally:
        notices.after = real


# Who and where ----------------------------------------------------------------------------------------------------


def _account(username: str) -> User | None:
    assert username in {u for u, _zh, _en in DEMO_ACCOUNTS}, username
    return User.objects.filter(username=username).select_related("region__parent", "department").first()


class Cast:
    """The demo county's people who report and handle cases, demo accounts first wherever they fit."""

    def __init__(self, county: Region, rng: random.Random) -> None:
        self.rng = rng
        demo = {u for u, _zh, _en in DEMO_ACCOUNTS}
        users = User.objects.filter(is_active=True, region__path__startswith=county.path).order_by("pk")
        users = sorted(users.select_related("region"), key=lambda u: (u.username not in demo, u.pk))
        self.offices: dict[int, list[User]] = defaultdict(list)
        self.staff: dict[int, list[User]] = defaultdict(list)
        self.delegates = [u for u in users if u.role == Role.DELEGATE]
        for user in users:
            if user.role == Role.OFFICE:
                self.offices[user.region_id].append(user)
            elif user.role == Role.DEPARTMENT and user.department_id:
                self.staff[user.department_id].append(user)
        self.county = self.offices[county.pk]
        self.office_regions = dict(Office.objects.values_list("pk", "region_id"))
        self.by_kind = {
            d.kind: d for d in Department.objects.filter(region=county).order_by("pk") if self.staff[d.pk]
        }
        self.chiefs: dict[int, list[User]] = defaultdict(list)
        rows = (
            ChiefAssignment.objects.current().filter(region__path__startswith=county.path).exclude(reach=None)
        )
        for a in rows.select_related("chief").order_by("-level", "pk"):
            self.chiefs[a.reach_id].append(a.chief)

    def pick(self, people: list[User], demo_share: float = 0.75) -> User:
        return (
            people[0] if self.rng.random() < demo_share or len(people) == 1 else self.rng.choice(people[1:])
        )

    def office(self, case: Case) -> User:
        """Staff of the office holding the case (the local `case.office_id` follows escalations)."""
        return (self.offices.get(self.office_regions[case.office_id]) or self.county)[0]


@dataclass
class Place:
    lon: float
    lat: float
    where: str  # for the title: 滏清河南宋庄村段
    place: str  # for the description: 南宋庄村东桥下
    address: str
    surface: str  # 河面 or 水面
    reach: Reach


class Places:
    """Points by the demo county's reaches, in three zones: the village chief's, the demo township, the rest."""

    def __init__(self, county: Region, township: Region, village_chief: User | None) -> None:
        reaches = Reach.objects.filter(region__path__startswith=county.path).exclude(geometry=None)
        self.reaches = list(reaches.select_related("water_body", "region").order_by("pk"))
        self.shapes = {r.pk: shape(r.geometry) for r in self.reaches}
        villages = list(Region.objects.filter(level=5, path__startswith=county.path).select_related("parent"))
        self.villages = villages
        self.village_shapes = [shape(v.geometry) for v in villages]
        self.tree = shapely.STRtree(self.village_shapes)
        mine = set()
        clip = None
        if village_chief is not None:
            mine = set(
                ChiefAssignment.objects.current()
                .filter(chief=village_chief)
                .exclude(reach=None)
                .values_list("reach_id", flat=True)
            )
            clip = shape(village_chief.region.geometry).buffer(0.0005)
        self.zones = {
            "village": [(r, clip) for r in self.reaches if r.pk in mine],
            "township": [(r, None) for r in self.reaches if r.region.path.startswith(township.path)],
            "county": [(r, None) for r in self.reaches if not r.region.path.startswith(township.path)],
        }

    def point(self, zone: str, category: str, rng: random.Random) -> Place:
        rows = self.zones[zone] or self.zones["county"]
        polygons = [row for row in rows if "Polygon" in row[0].geometry["type"]]
        lines = [row for row in rows if "Polygon" not in row[0].geometry["type"]]
        if polygons and (rng.random() < 0.15 or not lines):
            reach, clip = rng.choice(polygons)
        else:
            weights = [math.sqrt(r.length_m or 100.0) for r, _ in lines]
            reach, clip = rng.choices(lines, weights)[0]
        geom = self.shapes[reach.pk]
        if clip is not None:
            inside = geom.intersection(clip)
            if (
                inside.geom_type in ("Polygon", "MultiPolygon", "LineString", "MultiLineString")
                and not inside.is_empty
            ):
                geom = inside
        on_water = category in ON_WATER
        if geom.geom_type in ("Polygon", "MultiPolygon"):
            ring = (
                geom.exterior
                if geom.geom_type == "Polygon"
                else max(geom.geoms, key=lambda g: g.area).exterior
            )
            edge = ring.interpolate(rng.random(), normalized=True)
            centre = geom.representative_point()
            inward = rng.uniform(3, 15) if on_water else -rng.uniform(4, 15)
            lon, lat = _towards(edge, centre, inward)
            surface, line = "水面", False
        else:
            line_geom = geom if geom.geom_type == "LineString" else max(geom.geoms, key=lambda g: g.length)
            f = rng.uniform(0.05, 0.95)
            a, b = (
                line_geom.interpolate(f - 0.01, normalized=True),
                line_geom.interpolate(f + 0.01, normalized=True),
            )
            here = line_geom.interpolate(f, normalized=True)
            kx, ky = metres_per_degree(here.y)
            dx, dy = (b.x - a.x) * kx, (b.y - a.y) * ky
            norm = math.hypot(dx, dy) or 1.0
            off = (rng.uniform(0, 6) if on_water else rng.uniform(8, 28)) * rng.choice((-1, 1))
            lon, lat = here.x - dy / norm * off / kx, here.y + dx / norm * off / ky
            surface, line = "河面", True
        village = self._village(lon, lat) or reach.region
        township = village.parent if village.level == 5 else village
        water = reach.water_body.name
        if line:
            landmark = rng.choice(LANDMARKS).format(n=rng.randint(2, 9))
            place = f"{village.name}{landmark}"
            where = f"{water}{village.name}段"
            address = f"{township.name}{village.name}{landmark}，{water}"
        else:
            place = f"{water}{rng.choice(CORNERS)}"
            where = water
            address = f"{township.name}{village.name}，{place}"
        return Place(lon, lat, where, place, address, surface, reach)

    def _village(self, lon: float, lat: float) -> Region | None:
        point = Point(lon, lat)
        for i in self.tree.query(point, predicate="intersects"):
            return self.villages[int(i)]
        return None


def _towards(a: Point, b: Point, metres: float) -> tuple[float, float]:
    kx, ky = metres_per_degree(a.y)
    dx, dy = (b.x - a.x) * kx, (b.y - a.y) * ky
    d = math.hypot(dx, dy) or 1.0
    return a.x + dx / d * metres / kx, a.y + dy / d * metres / ky


# The stories ------------------------------------------------------------------------------------------------------


@dataclass
class Step:
    at: datetime.datetime
    action: str
    who: str  # office, county, handler, reporter, system
    note: str = ""
    params: dict = field(default_factory=dict)
    target: int = 1  # which of the case's two possible assignees an assign, transfer or handler step means
    photo: bool = False  # an after photo is taken just before


@dataclass
class Spec:
    """One case to be: what, where, from whom, and what becomes of it."""

    k: int
    fate: str
    zone: str
    category: CaseCategory
    channel: str
    urgency: str
    flags: set[str]
    created: datetime.datetime | None = None
    steps: list[Step] = field(default_factory=list)
    duplicate_of: Spec | None = None
    place: Place | None = None
    text: tuple[str, str, str] = ("", "", "")  # short title, description, what was done
    sizes: dict = field(default_factory=dict)


class Story:
    """Writes one case's steps forward in time from its report, in office hours where people act."""

    def __init__(self, spec: Spec, rng: random.Random, start: datetime.datetime) -> None:
        self.spec, self.rng, self.t = spec, rng, start
        self.steps: list[Step] = []
        self.deadline: datetime.datetime | None = None

    def office_hours(self, t: datetime.datetime) -> datetime.datetime:
        local = timezone.localtime(t)
        if local.hour >= 18:
            local += DAY
        if local.hour < 8 or local.hour >= 18:  # the next morning, some way into the day's work
            local = local.replace(hour=8, minute=0, second=0) + self.rng.uniform(0.2, 3.0) * HOUR
        return local

    def add(self, action: str, who: str, hours: tuple[float, float], note: str | None = None, **kw) -> Step:
        at = self.office_hours(self.t + self.rng.uniform(*hours) * HOUR)
        text = self.rng.choice(NOTES.get(action, ("",))) if note is None else note
        step = Step(at, action, who, text.format(n=self.rng.choice((5, 7, 10, 15))), **kw)
        self.steps.append(step)
        self.t = at
        return step

    def days(self) -> int:
        category = self.spec.category
        return category.urgent_deadline_days if self.spec.urgency == "urgent" else category.deadline_days

    def assign(self, target: int = 1, hours=(0.3, 6.0)) -> None:
        step = self.add("assign", "office", hours, target=target)
        self.deadline = step.at + self.days() * DAY
        step.params["deadline"] = self.deadline

    def dispatch(self) -> None:
        if self.rng.random() < 0.55:
            self.add("accept", "office", (0.3, 5.0))
            self.assign(hours=(0.2, 6.0))
        else:
            self.assign(hours=(0.5, 8.0))

    def before_deadline(self, share: float) -> float:
        """Hours from the story's present moment to `share` of the time left before the deadline."""
        return max(0.5, (self.deadline - self.t).total_seconds() / 3600 * share)

    def start(self, target: int = 1) -> None:
        self.add("start", "handler", (0.5, min(20.0, self.before_deadline(0.3))), target=target)

    def complete(self, result: str, target: int = 1) -> None:
        hours = (self.before_deadline(0.25), self.before_deadline(0.8))
        step = self.add("complete", "handler", hours, note=result, target=target, photo=True)
        if step.at >= self.deadline:  # office hours pushed it past: people stay late rather than miss it
            step.at = self.t = max(
                self.steps[-2].at + 0.3 * HOUR, self.deadline - self.rng.uniform(1, 4) * HOUR
            )

    def extension(self, approve: bool = True) -> None:
        step = self.add("extend_request", "handler", (1.0, self.before_deadline(0.5)))
        step.params["deadline"] = self.deadline + self.rng.choice((5, 7, 10)) * DAY
        if approve:
            self.add("extend_approve", "office", (0.5, 6.0))
            self.deadline = step.params["deadline"]


def write_story(spec: Spec, rng: random.Random, start: datetime.datetime, result: str) -> Story:
    """The steps of the case's fate, starting from a report at `start` (moved in whole days afterwards)."""
    s, fate, flags = Story(spec, rng, start), spec.fate, spec.flags
    if fate == "new":
        return s
    if fate == "rejected":
        s.add("reject", "office", (0.5, 20.0))
        return s
    if fate == "accepted":
        s.add("accept", "office", (0.3, 6.0))
        return s
    if "sent_back" in flags or "transfer" in flags:
        s.add("accept", "office", (0.3, 4.0))
        s.assign(target=2)
        if "sent_back" in flags:
            s.add("send_back", "handler", (2.0, 20.0), target=2)
            s.assign(hours=(0.5, 6.0))
        else:
            s.add("transfer", "office", (4.0, 24.0))
            s.deadline = s.t + s.days() * DAY
            s.steps[-1].params["deadline"] = s.deadline
    else:
        s.dispatch()
    if fate == "assigned" or (fate == "overdue" and rng.random() < 0.3):
        _pressure(s, flags)
        return s
    s.start()
    if fate == "overdue":
        _pressure(s, flags)
        return s
    if "progress" in flags:
        s.add("progress", "handler", (2.0, s.before_deadline(0.4)))
    if "extension" in flags:
        s.extension(approve=fate != "in_progress" or rng.random() < 0.6)
    if fate == "in_progress":
        _pressure(s, flags)
        return s
    if fate == "long_term":
        # Shelved before the deadline: the handler reports what it takes, the office sees it is not a week's work.
        s.add("progress", "handler", (2.0, s.before_deadline(0.4)))
        s.add("long_term", "office", (1.0, s.before_deadline(0.7)), params={"target_date": None})
        if rng.random() < 0.5:
            s.add("supervise", "county", (24.0, 120.0))
        for _ in range(4):
            s.add("progress", "handler", (12 * 24.0, 25 * 24.0), note=rng.choice(NOTES["long_progress"]))
        return s
    if "urged" in flags:
        s.add("urge", "office", (2.0, s.before_deadline(0.5)))
    if "supervised" in flags:
        s.add("supervise", "county", (1.0, s.before_deadline(0.4)))
    s.complete(result)
    if "returned" in flags:
        s.add("return", "office", (2.0, 30.0))
        s.add("complete", "handler", (3.0, 30.0), note="已按要求彻底整改，" + result)
    if fate == "completed":
        return s
    s.add("approve", "office", (2.0, 40.0))
    if fate == "verified":
        return s
    s.add("close", "office", (0.05, 2.0))
    if fate == "reopened":
        s.add("public_reopen", "reporter", (20.0, 60.0))
        s.assign(hours=(1.0, 6.0))
        s.start()
        return s
    if spec.channel == "public" and rng.random() < 0.75:
        rating = rng.choices(("satisfied", "fair", "unsatisfied"), (78, 16, 6))[0]
        s.add("rate", "reporter", (6.0, 72.0), note=rng.choice(RATINGS[rating]), params={"rating": rating})
    return s


def _pressure(s: Story, flags: set[str]) -> None:
    """Urging and supervision while the case is still open (before its deadline: the system takes over after)."""
    if "urged" in flags:
        s.add("urge", "office", (1.0, s.before_deadline(0.6)))
    if "supervised" in flags:
        s.add("supervise", "county", (1.0, s.before_deadline(0.6)))


def _settle(s: Story, now: datetime.datetime, start: datetime.datetime) -> tuple[int, int] | None:
    """The whole days by which the story must move back to end the way its fate says, as an allowed range."""
    fate = s.spec.fate
    anchor = s.steps[-1].at if s.steps else start
    if fate == "overdue":
        anchor = s.deadline
    elif fate == "long_term":  # its later progress reports stop wherever today is
        anchor = next(step.at for step in s.steps if step.action == "long_term")
    lo, hi = WAITS.get(fate, WAITS["closed"])
    if fate in ("assigned", "in_progress") and s.deadline is not None:
        hi = min(hi, (s.deadline - anchor) / DAY - 0.25)
    base = (now - anchor) / DAY
    k_lo = math.ceil(lo - base)
    k_hi = math.floor(min(hi - base, DAYS - (now - start) / DAY))
    return (k_lo, k_hi) if k_lo <= k_hi else None


def system_steps(steps: list[Step], created: datetime.datetime, until: datetime.datetime, rng) -> list[Step]:
    """What the scheduled deadline check (hezhang.cases.deadlines) would have done to this case meanwhile."""
    remind = datetime.timedelta(hours=getattr(settings, "HEZHANG_REMIND_BEFORE_HOURS", 24))
    urge_every = datetime.timedelta(hours=getattr(settings, "HEZHANG_OVERDUE_URGE_HOURS", 24))
    escalate_after = datetime.timedelta(hours=getattr(settings, "HEZHANG_ESCALATE_AFTER_HOURS", 72))

    def tick(t):  # the check runs every ten minutes
        return t + datetime.timedelta(seconds=rng.randint(5, 595))

    out: list[Step] = []
    state, deadline, asked, prev = "reported", None, None, created
    last: dict[str, datetime.datetime] = {}
    for step in [*steps, None]:
        end = step.at if step is not None else until
        if state in workflow.OPEN_WORK and deadline is not None:
            r = deadline - remind
            if prev < deadline and r < end and ("remind" not in last or last["remind"] < r):
                t = tick(max(r, prev))
                if t < min(end, deadline):
                    out.append(Step(t, "remind", "system", "距办理期限不足 24 小时"))
                    last["remind"] = t
            t = max(deadline, prev)
            while True:
                urge_at = tick(max(t, last["urge"] + urge_every) if "urge" in last else t)
                since = max(deadline, last.get("escalate", deadline))
                escalate_at = tick(max(t, since + escalate_after))
                t = min(urge_at, escalate_at)
                if t >= end:
                    break
                if t == urge_at:
                    out.append(Step(t, "urge", "system", "已超过办理期限，系统自动催办"))
                    last["urge"] = t
                else:
                    hours = escalate_after.total_seconds() / 3600
                    out.append(
                        Step(t, "escalate", "system", f"超期 {hours:.0f} 小时未办结，升级至上级河长办")
                    )
                    last["escalate"] = t
        if step is None:
            break
        if step.action in ("assign", "transfer"):
            deadline = step.params["deadline"]
        elif step.action == "extend_request":
            asked = step.params["deadline"]
        elif step.action == "extend_approve":
            deadline = asked
        elif step.action == "urge":
            last["urge"] = step.at
        state = workflow.ACTIONS[step.action].to_state or state
        prev = step.at
    return out


def plan(specs: list[Spec], rng: random.Random, now: datetime.datetime, places: Places) -> None:
    """Give every spec a report time and its steps, all in the past, the merged ones after their originals."""
    today = timezone.localtime(now).replace(minute=0, second=0, microsecond=0)
    for spec in specs:
        if spec.fate == "merged":
            continue
        spec.place = places.point(spec.zone, spec.category.code, rng)
        spec.text = rng.choice(TEXTS[spec.category.code])
        spec.sizes = _sizes(rng)
        result = _text(spec.text[2], spec)
        for _attempt in range(30):
            lo, hi = HOURS[spec.channel]
            start = today.replace(
                hour=rng.randint(lo, hi - 1), minute=rng.randint(0, 59), second=rng.randint(0, 59)
            )
            story = write_story(spec, rng, start, result)
            window = _settle(story, now, start)
            if window is not None:
                break
        end = story.steps[-1].at if story.steps else start
        if window:  # more reports lately: the river chiefs' app and the 随手拍 page are catching on
            back = window[0] + int((window[1] - window[0] + 1) * rng.random() ** 1.3)
        else:
            back = max(0, math.ceil((end - now) / DAY)) + 1
        spec.created = start - back * DAY
        spec.steps = [_moved(step, back) for step in story.steps]
        for step in spec.steps:
            if step.action == "long_term":  # a target some months ahead of today, whenever it was set
                step.params["target_date"] = timezone.localdate(now) + rng.randint(45, 200) * DAY
        spec.steps += system_steps(spec.steps, spec.created, now, rng)
        spec.steps.sort(key=lambda step: step.at)
    originals = [
        s for s in specs if s.fate in ("long_term", "overdue", "in_progress") and s.created < now - 3 * DAY
    ]
    for spec in specs:
        if spec.fate != "merged":
            continue
        original = rng.choice(originals)
        spec.duplicate_of, spec.category, spec.text = original, original.category, original.text
        spec.sizes = _sizes(rng)
        spec.place = _near(original.place, rng)
        latest = (now - original.created) / DAY - 0.6
        created = original.created + rng.uniform(0.5, max(0.6, min(20.0, latest))) * DAY
        story = Story(spec, rng, created)
        spec.created = story.t = min(story.office_hours(created), max(created, now - 0.6 * DAY))
        story.add("merge", "office", (0.5, 16.0))
        spec.steps = story.steps if story.t < now else []


def _moved(step: Step, days: int) -> Step:
    params = {k: (v - days * DAY if isinstance(v, datetime.datetime) else v) for k, v in step.params.items()}
    return Step(step.at - days * DAY, step.action, step.who, step.note, params, step.target, step.photo)


def _near(place: Place, rng: random.Random) -> Place:
    kx, ky = metres_per_degree(place.lat)
    angle, metres = rng.uniform(0, 2 * math.pi), rng.uniform(10, 50)
    lon, lat = place.lon + math.cos(angle) * metres / kx, place.lat + math.sin(angle) * metres / ky
    return Place(lon, lat, place.where, place.place, place.address, place.surface, place.reach)


def _sizes(rng: random.Random) -> dict:
    """How big the problem is, the same in the report and in what the handler says was done."""
    return {
        "a": rng.choice((5, 8, 10, 15, 20, 30, 50)),
        "m": rng.choice((0.5, 1, 2, 3, 5, 8)),
        "l": rng.choice((5, 10, 20, 30, 50)),
        "d": rng.choice((20, 30, 40, 60)),
        "n": rng.randint(2, 9),
    }


def _text(template: str, spec: Spec) -> str:
    return template.format(p=spec.place.place, s=spec.place.surface, **spec.sizes)


# Pictures ---------------------------------------------------------------------------------------------------------

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


def _shot(spec: Spec, taken: datetime.datetime, after: bool, rng: random.Random) -> tuple[bytes, str]:
    kx, ky = metres_per_degree(spec.place.lat)
    lon = spec.place.lon + rng.uniform(-8, 8) / kx
    lat = spec.place.lat + rng.uniform(-8, 8) / ky
    data = jpeg(picture(spec.k * 7919 + 13, spec.category.code, after), taken, lon, lat)
    return data, f"IMG_{timezone.localtime(taken):%Y%m%d_%H%M%S}.jpg"


# Building ---------------------------------------------------------------------------------------------------------


def _specs(count: int, rng: random.Random) -> list[Spec]:
    categories = {c.code: c for c in CaseCategory.objects.filter(region=None)}
    fates = [fate for fate, share in FATES.items() for _ in range(max(1, round(count * share)))]
    fates = [*fates, "reopened"][:count]
    fates += ["closed"] * (count - len(fates))
    specs = []
    for k, fate in enumerate(fates):
        zone = "village" if k % 20 == 2 else "township" if k % 5 == 0 or fate == "reopened" else "county"
        if fate == "reopened":
            channel = "public"
        elif fate == "rejected":
            channel = rng.choice(("public", "public", "hotline"))
        else:
            channel = rng.choices(list(CHANNELS), list(CHANNELS.values()))[0]
        leaning = LEANINGS.get(channel, {})
        weights = [w * leaning.get(code, 1) for code, w in CATEGORIES.items()]
        code = rng.choice(LASTING) if fate == "long_term" else rng.choices(list(CATEGORIES), weights)[0]
        if fate == "reopened":
            code = "floating_garbage"
        urgency = "urgent" if rng.random() < URGENT.get(code, 0.03) else "normal"
        flags = set()
        if fate in ("closed", "completed", "verified"):
            for flag, share in (("progress", 0.35), ("returned", 0.1), ("urged", 0.08), ("supervised", 0.05)):
                if rng.random() < share:
                    flags.add(flag)
            if rng.random() < 0.1:
                flags.add(rng.choice(("sent_back", "transfer")))
            if rng.random() < 0.06:
                flags.add("extension")
        elif fate in ("in_progress", "overdue", "assigned"):
            for flag, share in (("progress", 0.5), ("urged", 0.3), ("supervised", 0.25), ("extension", 0.2)):
                if rng.random() < share:
                    flags.add(flag)
        specs.append(Spec(k, fate, zone, categories[code], channel, urgency, flags))
    return specs


def _reporter(spec: Spec, cast: Cast, rng: random.Random) -> dict:
    place, channel = spec.place, spec.channel
    phone = "138" + "".join(rng.choice("0123456789") for _ in range(8))
    caller = rng.choice(SURNAMES) + rng.choice(("先生", "女士"))
    if channel == "patrol":
        chiefs = cast.chiefs.get(place.reach.pk) or cast.county
        chief = chiefs[0] if rng.random() < 0.7 else rng.choice(chiefs)
        return {"reporter": chief, "reporter_name": chief.name, "prefix": "巡河发现："}
    if channel == "hotline":
        return {
            "reporter": cast.pick(cast.county, 0.5),
            "reporter_name": caller,
            "reporter_phone": phone,
            "prefix": f"12345热线转办：{caller}来电反映，",
        }
    if channel == "delegate" and cast.delegates:
        delegate = cast.pick(cast.delegates, 0.5)
        return {"reporter": delegate, "reporter_name": delegate.name, "prefix": f"{delegate.name}代表反映："}
    if channel in ("inspection", "delegate"):
        staff = cast.pick(cast.county, 0.3)
        return {"reporter": staff, "reporter_name": staff.name, "prefix": "县河长办暗访督查发现："}
    return {"reporter_phone": phone if rng.random() < 0.85 else "", "prefix": ""}


@dataclass
class Target:
    department: Department | None
    chief: User | None
    user: User


def _targets(
    spec: Spec, case: Case, cast: Cast, rng: random.Random, village_chief: User | None
) -> list[Target]:
    """Who the case goes to (target 1) and, for cases first sent to the wrong department, who first had it."""
    options = HANDLERS.get(spec.category.code) or (("ecology", 1),)
    kinds = [kind for kind, _w in options]
    chosen = rng.choices(kinds, [w for _k, w in options])[0]
    chiefs = [c for c in case.chiefs.all() if c.chief_level == 5]
    first = None
    if chosen == "chief" and chiefs:
        chief = village_chief if village_chief in chiefs else chiefs[0]
        first = Target(None, chief, chief)
    else:
        kind = chosen if chosen in cast.by_kind else next(k for k in kinds if k in cast.by_kind)
        proposed = case.proposed_department
        department = (
            proposed if proposed and proposed.kind == kind and cast.staff[proposed.pk] else cast.by_kind[kind]
        )
        first = Target(department, None, cast.pick(cast.staff[department.pk]))
    others = [d for kind, d in sorted(cast.by_kind.items()) if d != first.department and kind not in kinds]
    wrong = rng.choice(others)
    return [first, Target(wrong, None, cast.pick(cast.staff[wrong.pk]))]


def _perform(step: Step, case: Case, spec: Spec, cast: Cast, targets: list[Target], made: dict) -> CaseEvent:
    user = None
    if step.who == "office":
        user = cast.office(case)
    elif step.who == "county":
        user = cast.pick(cast.county)
    elif step.who == "handler":
        user = targets[step.target - 1].user
    params = dict(step.params)
    if step.action in ("assign", "transfer"):
        target = targets[step.target - 1]
        params.update(department=target.department, handler=target.chief, handling_office=None)
    elif step.action == "merge":
        params["duplicate_of"] = made[spec.duplicate_of.k]
        step.note = f"与案件{params['duplicate_of'].number}反映的为同一问题，合并办理"
    return workflow.perform(
        case, user, step.action, note=step.note, reporter=step.who == "reporter", **params
    )


def build_cases(seed: int = 7, count: int = 240, log: Callable[[str], None] | None = None) -> dict:
    """Fill the demo county with cases unless they are there; return {"built", "total", "states"}.

    Does nothing (and reports what is there) when demo cases exist or when there is no demo county.
    """
    office = _account("township_office")
    if office is None or Case.objects.filter(client_id__startswith=MARK).exists():
        return summary(built=False)
    started = time.perf_counter()
    rng = random.Random(seed * 104729 + 3)
    township = office.region
    county = township.parent
    village_chief = _account("village_chief")
    cast = Cast(county, random.Random(seed))
    places = Places(county, township, village_chief)
    now = timezone.now()
    specs = _specs(count, rng)
    plan(specs, rng, now, places)
    specs.sort(key=lambda s: s.created)
    made: dict[int, Case] = {}
    with not_recorded(), transaction.atomic():
        with quiet():
            for n, spec in enumerate(specs):
                made[spec.k] = _build_one(spec, n, seed, cast, rng, now, village_chief, made)
        _ring_bells(township, village_chief)
    if log:
        log(f"  案件 cases: {time.perf_counter() - started:.1f} s")
    return summary(built=True)


def _build_one(spec, n, seed, cast, rng, now, village_chief, made) -> Case:
    short, template, _result = spec.text
    who = _reporter(spec, cast, rng)
    prefix = who.pop("prefix")
    description = prefix + _text(template, spec)
    if spec.channel == "public" and rng.random() < 0.4:
        description += rng.choice(("，希望尽快处理", "，已经好几天了", "，请有关部门管一管"))
    photos = []
    if spec.channel in ("public", "patrol", "inspection"):  # a caller sends no photo
        photos.append(_shot(spec, spec.created - datetime.timedelta(minutes=rng.uniform(2, 40)), False, rng))
    with clock(spec.created):
        case, _ = create_case(
            category=spec.category,
            channel=spec.channel,
            lon=spec.place.lon,
            lat=spec.place.lat,
            title=f"{spec.place.where}{short}",
            description=description,
            urgency=spec.urgency,
            address=spec.place.address,
            client_id=f"{MARK}{seed}-{n:04d}",
            photos=photos,
            **who,
        )
    # The model's defaults hold the real clock (see `clock`).
    Case.objects.filter(pk=case.pk).update(created_at=spec.created)
    case.events.filter(action="report").update(at=spec.created)
    targets = _targets(spec, case, cast, rng, village_chief)
    for step in spec.steps:
        if step.at >= now - datetime.timedelta(minutes=1):
            break
        with clock(step.at):
            photo = None
            if step.photo:
                taken = step.at - rng.uniform(0.2, 3.0) * HOUR
                photo = attach_photo(case, *_shot(spec, taken, True, rng), "after")
            event = _perform(step, case, spec, cast, targets, made)
            if step.action == "escalate":
                case.office_id = event.data["to_office"]
            if photo is not None:
                CasePhoto.objects.filter(pk=photo.pk).update(event=event)
    return case


def _ring_bells(township: Region, village_chief: User | None) -> None:
    """A handful of real notifications, sent as they would have been, so the demo accounts' bells show something."""
    staff = _account("department_staff")
    events = CaseEvent.objects.select_related("case__office__region", "case__reach", "case__region")
    picks = list(
        events.filter(action__in=("complete", "send_back"), case__office__region=township).order_by("-at")[:3]
    )
    if staff is not None and staff.department_id:
        chosen = events.filter(action__in=("assign", "return", "urge"), case__department=staff.department_id)
        picks += list(chosen.filter(case__state__in=workflow.OPEN_WORK).order_by("-at")[:3])
    if village_chief is not None:
        picks += list(events.filter(action="assign", case__handler=village_chief).order_by("-at")[:2])
    picks += list(events.filter(action="escalate").order_by("-at")[:2])
    for event in sorted(picks, key=lambda e: e.at):
        with clock(event.at):
            notices.after(event)


def summary(built: bool) -> dict:
    counts = Counter(Case.objects.filter(client_id__startswith=MARK).values_list("state", flat=True))
    states = [(s.code, s.label, counts[s.code]) for s in CaseState.objects.all() if counts[s.code]]
    return {"built": built, "total": sum(counts.values()), "states": states}
