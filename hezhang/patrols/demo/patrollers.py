"""Who patrols in the demo county: its current chiefs (their reaches there), grid members (the reaches in their grid)
and delegates (the reaches of the water bodies they are linked to).

Only reaches drawn as lines are walked: the scorer measures coverage along a line, and a lake or pond zone (a
polygon) has none yet.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import shapely
from django.db.models import Q
from shapely.geometry import shape

from hezhang.accounts.models import User
from hezhang.patrols.demo.schedule import Demands
from hezhang.patrols.demo.walks import Bank
from hezhang.patrols.models import PatrolRole, PatrolRule
from hezhang.patrols.rules import role_of, rule_for
from hezhang.registry.models import ChiefAssignment, DelegateLink, Grid, Reach, Region


@dataclass
class Patroller:
    user: User
    role: str
    level: int | None
    reaches: list[Reach]  # the reaches they walk, lines only, in the county
    rule: PatrolRule | None

    @property
    def demands(self) -> Demands:
        rule = self.rule
        if rule is None:
            return Demands("month", 1, 600.0, 500.0, 0.3)
        return Demands(
            rule.period,
            rule.times,
            rule.min_duration_min * 60.0,
            float(rule.min_distance_m),
            rule.min_coverage_pct / 100.0,
        )


class Reaches:
    """The county's line reaches, prepared once: their banks to walk and a shape to find them by."""

    def __init__(self, county: Region) -> None:
        rows = Reach.objects.filter(region__path__startswith=county.path).select_related(
            "region", "water_body"
        )
        self.banks: dict[int, Bank] = {}
        self.by_pk: dict[int, Reach] = {}
        self.by_water: dict[int, list[Reach]] = defaultdict(list)
        for reach in rows.order_by("code"):
            bank = Bank.from_geojson(reach.geometry or {})
            if bank is None:
                continue
            self.banks[reach.pk] = bank
            self.by_pk[reach.pk] = reach
            self.by_water[reach.water_body_id].append(reach)
        self.pks = list(self.by_pk)
        self.shapes = [shape(self.by_pk[pk].geometry) for pk in self.pks]
        self.tree = shapely.STRtree(self.shapes)

    def of(self, assignment: ChiefAssignment | DelegateLink) -> list[Reach]:
        """What `responsible_reaches` gives for one assignment (or delegate's link), within the county."""
        if assignment.reach_id:
            reach = self.by_pk.get(assignment.reach_id)
            return [reach] if reach is not None else []
        path = assignment.region.path
        return [r for r in self.by_water.get(assignment.water_body_id, []) if r.region.path.startswith(path)]

    def in_grid(self, grid: Grid) -> list[Reach]:
        """The reaches crossing a grid cell, or the nearest one when none does."""
        polygon = shape(grid.geometry)
        hits = sorted(int(i) for i in self.tree.query(polygon, predicate="intersects"))
        if not hits:
            hits = [int(self.tree.nearest(polygon))]
        return [self.by_pk[self.pks[i]] for i in hits]


def patrollers(county: Region, reaches: Reaches) -> list[Patroller]:
    """Every current chief with a reach in the county and every grid member there, in a stable order."""
    mine: dict[int, list[Reach]] = defaultdict(list)
    users: dict[int, User] = {}
    rows = ChiefAssignment.objects.current().filter(
        Q(reach__in=reaches.pks) | Q(reach=None, water_body__in=list(reaches.by_water))
    )
    rows = rows.filter(chief__is_active=True).select_related("chief", "region").order_by("chief_id", "pk")
    for assignment in rows:
        for reach in reaches.of(assignment):
            if reach not in mine[assignment.chief_id]:
                mine[assignment.chief_id].append(reach)
        users[assignment.chief_id] = assignment.chief
    grids = (
        Grid.objects.filter(region__path__startswith=county.path, member__is_active=True)
        .select_related("member")
        .order_by("code")
    )
    for grid in grids:
        users[grid.member_id] = grid.member
        mine[grid.member_id].extend(r for r in reaches.in_grid(grid) if r not in mine[grid.member_id])
    rules: dict[tuple, PatrolRule | None] = {}
    out = []
    for pk in sorted(pk for pk in users if mine[pk]):
        user = users[pk]
        role = role_of(user)
        level = user.chief_level if role == PatrolRole.CHIEF else None
        region = mine[pk][0].region
        key = (role, level, region.pk)
        if key not in rules:
            rules[key] = rule_for(role, level, region)
        out.append(Patroller(user, role, level, mine[pk], rules[key]))
    return out


def delegates(reaches: Reaches) -> list[Patroller]:
    """One patroller for each current link of a delegate to water in the county that has reaches drawn as lines,
    so that a delegate's visits go round the water bodies they supervise."""
    links = (
        DelegateLink.objects.current()
        .filter(Q(reach__in=reaches.pks) | Q(reach=None, water_body__in=list(reaches.by_water)))
        .filter(delegate__is_active=True)
        .select_related("delegate", "region")
        .order_by("delegate_id", "pk")
    )
    rules: dict[int, PatrolRule | None] = {}
    out = []
    for link in links:
        mine = reaches.of(link)
        if not mine:
            continue
        region = mine[0].region
        if region.pk not in rules:
            rules[region.pk] = rule_for(PatrolRole.DELEGATE, None, region)
        out.append(Patroller(link.delegate, PatrolRole.DELEGATE, None, mine, rules[region.pk]))
    return out
