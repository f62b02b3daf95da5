"""Natural keys: how a related record is written in a file, and how it is found again when the file comes back.

A region is its 12-digit code; a water body, reach or grid its code; a person their username; a department
"区划代码/名称" (or just its name, looked up in the row's region and the regions above it); a plan "水体编码/标题".
Records are only ever found among the choices the kind's form offers the user, so nothing outside their
jurisdiction can be referred to, nor learned about.
"""

import re

from hezhang.accounts.models import User
from hezhang.registry import models as m
from hezhang.registry.cells import RowError
from hezhang.registry.columns import NATURAL_KEY, Column


def natural_key(obj) -> str:
    if obj is None:
        return ""
    if isinstance(obj, User):
        return obj.username
    if isinstance(obj, m.Department):
        return f"{obj.region.code}/{obj.name}"
    if isinstance(obj, m.RiverPlan):
        return f"{obj.water_body.code}/{obj.title}"
    return obj.code


CODE_AND_NAME = re.compile(r"^\s*([0-9A-Za-z\-_.]+?)\s*[/／]\s*(.+?)\s*$")
REGION_AND_NAME = re.compile(r"^\s*(\d{12})\s*[/／:：\s]?\s*(.+?)\s*$")
LIST_SEPARATORS = re.compile(r"[,，、;；\s]+")


class Resolver:
    """Finds related records by natural key among the choices the kind's form offers the user."""

    def __init__(self, probe_form, user):
        self.querysets = {
            name: f.queryset
            for name, f in probe_form.fields.items()
            if getattr(f, "queryset", None) is not None
        }
        self.user = user
        self.found: dict[tuple, int] = {}

    def find(self, column: Column, text: str, region=None) -> int:
        cache_key = (column.name, text, getattr(region, "pk", None))
        if cache_key not in self.found:
            queryset = self.querysets[column.name]
            model = queryset.model
            if model is m.Department:
                pk = self._department(queryset, text, region)
            elif model is m.RiverPlan:
                match = CODE_AND_NAME.match(text)
                rows = queryset.none()
                if match:
                    rows = queryset.filter(water_body__code=match.group(1), title=match.group(2))
                if not rows.exists():
                    rows = queryset.filter(title=text)
                pk = self._single(rows, f"有多个标题为“{text}”的一河一策，请写成“水体编码/标题”")
            else:
                attr, _what = NATURAL_KEY[model]
                pk = queryset.filter(**{attr: text}).values_list("pk", flat=True).first()
            if pk is None:
                raise RowError(self.not_found(column, text))
            self.found[cache_key] = pk
        return self.found[cache_key]

    def not_found(self, column: Column, text: str) -> str:
        model = self.querysets[column.name].model
        what = NATURAL_KEY.get(model, ("", ""))[1]
        if model in (m.Department, m.RiverPlan):
            message = f"找不到{column.label}“{text}”"
        else:
            message = f"找不到{what}为“{text}”的{column.label}"
        return message + ("（或不在您的管辖范围内）" if self.user is not None else "")

    @staticmethod
    def _single(rows, ambiguous: str):
        pks = list(rows.values_list("pk", flat=True)[:2])
        if len(pks) > 1:
            raise RowError(ambiguous)
        return pks[0] if pks else None

    def _department(self, queryset, text, region):
        match = REGION_AND_NAME.match(text)
        if match:
            hit = queryset.filter(region__code=match.group(1), name=match.group(2)).values_list(
                "pk", flat=True
            )
            if hit:
                return hit[0]
        candidates = list(queryset.filter(name=text).values_list("pk", "region__code"))
        if region is not None:
            # The row's own region first, then its township, county… upwards.
            for code in [region.code, *(r.code for r in reversed(region.ancestors()))]:
                for pk, region_code in candidates:
                    if region_code == code:
                        return pk
        if len(candidates) > 1:
            raise RowError(f"有多个名为“{text}”的部门，请写成“区划代码/名称”")
        return candidates[0][0] if candidates else None
