"""The collections served over OGC API – Features: which rows, which properties, who may read them.

Public collections are what the platform already shows anyone (the public pages, signboards, the 随手拍 map):
never a reporter's name or phone. Staff collections need a login (session, token or HTTP Basic, which is what
QGIS offers) and answer only the user's jurisdiction, exactly as the pages and the REST API do.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from hezhang.accounts.jurisdiction import visible


@dataclass(frozen=True)
class Collection:
    id: str
    title: Any
    description: Any
    rows: Callable[[Any], QuerySet]  # user (None when anonymous) -> queryset
    properties: Callable[[Any], dict]
    public: bool = True
    id_field: str = "code"
    datetime_field: str | None = None
    related: tuple[str, ...] = field(default_factory=tuple)


def _registry(model_name: str) -> Callable[[Any], QuerySet]:
    def rows(user) -> QuerySet:
        from hezhang.registry import models as m

        return getattr(m, model_name).objects.exclude(geometry=None)

    return rows


def _reach(r) -> dict:
    return {
        "code": r.code,
        "name": r.name,
        "water_body": r.water_body.name,
        "water_body_code": r.water_body.code,
        "region": r.region.name,
        "region_code": r.region.code,
        "length_m": r.length_m,
        "start": r.start_description,
        "end": r.end_description,
    }


def _water_body(w) -> dict:
    return {"code": w.code, "name": w.name, "kind": w.kind, "region": w.region.name if w.region_id else None}


def _section(s) -> dict:
    return {
        "code": s.code,
        "name": s.name,
        "kind": s.kind,
        "water_body": s.water_body.name,
        "region": s.region.name,
        "target_class": s.target_class,
    }


def _outfall(o) -> dict:
    return {
        "code": o.code,
        "name": o.name,
        "kind": o.kind,
        "water_body": o.water_body.name,
        "region": o.region.name,
    }


def _signboard(s) -> dict:
    return {
        "code": s.code,
        "name": s.name,
        "reach": s.reach.code if s.reach_id else None,
        "region": s.region.name,
        "installed_on": s.installed_on.isoformat() if s.installed_on else None,
    }


def _public_cases(user) -> QuerySet:
    from hezhang.cases.models import Case

    return Case.objects.exclude(state__in=["rejected", "merged"])


def _public_case(c) -> dict:
    return {
        "number": c.number,
        "category": c.category.display_name,
        "state": c.state.display_label,
        "fixed": c.state.is_fixed,
        "reported_at": c.created_at.isoformat(),
    }


def _staff_cases(user) -> QuerySet:
    from hezhang.cases.access import visible_cases
    from hezhang.cases.models import Case

    return visible_cases(Case.objects.all(), user)


def _staff_case(c) -> dict:
    return {
        **_public_case(c),
        "title": c.title,
        "channel": c.channel,
        "office": c.office.name,
        "reach": c.reach.code if c.reach_id else None,
        "deadline": c.deadline.isoformat() if c.deadline else None,
        "overdue": c.is_overdue,
    }


def _scoped(model_name: str) -> Callable[[Any], QuerySet]:
    def rows(user) -> QuerySet:
        from hezhang.registry import models as m

        return visible(getattr(m, model_name).objects.exclude(geometry=None), user)

    return rows


def _asset(a) -> dict:
    return {
        "code": a.code,
        "name": a.name,
        "kind": a.kind,
        "department": a.department.name,
        "region": a.region.name,
    }


COLLECTIONS = {
    c.id: c
    for c in (
        Collection(
            "reaches",
            _("河段"),
            _("河湖名录中的河段及其起止点"),
            _registry("Reach"),
            _reach,
            related=("water_body", "region"),
        ),
        Collection(
            "water-bodies",
            _("水体"),
            _("河流、湖泊、水库、坑塘等"),
            _registry("WaterBody"),
            _water_body,
            related=("region",),
        ),
        Collection(
            "sections",
            _("监测断面"),
            _("水质监测断面与交接断面"),
            _registry("Section"),
            _section,
            related=("water_body", "region"),
        ),
        Collection(
            "outfalls",
            _("入河排污口"),
            _("入河排污口"),
            _registry("Outfall"),
            _outfall,
            related=("water_body", "region"),
        ),
        Collection(
            "signboards",
            _("河长公示牌"),
            _("河长公示牌"),
            _registry("Signboard"),
            _signboard,
            related=("reach", "region"),
        ),
        Collection(
            "public-cases",
            _("公众可见的问题"),
            _("已上报问题的公开视图：类别、状态、是否已解决；不含上报人信息"),
            _public_cases,
            _public_case,
            id_field="number",
            datetime_field="created_at",
            related=("category", "state"),
        ),
        Collection(
            "cases",
            _("问题（工作人员）"),
            _("本辖区的问题，含处置单位与期限；需登录"),
            _staff_cases,
            _staff_case,
            public=False,
            id_field="number",
            datetime_field="created_at",
            related=("category", "state", "office", "reach"),
        ),
        Collection(
            "assets",
            _("部件"),
            _("井盖、雨水篦子、闸站等部件及其权属部门；需登录"),
            _scoped("Asset"),
            _asset,
            public=False,
            related=("department", "region"),
        ),
    )
}
