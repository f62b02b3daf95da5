"""Which patrol rule applies to whom, and its thresholds as the scorer's `ScoringRules`.

Rules are rows edited by offices (`PatrolRule`). The most specific wins: a rule of the patroller's own region
before its ancestors' and the platform default, one for their level before one for every level, and a seasonal
rule (months) in its months before an all-year one.
"""

import datetime

from django.db.models import Q

from hezhang.accounts.models import Role
from hezhang.patrols.models import PatrolRole, PatrolRule
from hezhang.patrols.scoring import ScoringRules


def role_of(user) -> str:
    if user.role == Role.GRID:
        return PatrolRole.GRID
    if user.role == Role.DELEGATE:
        return PatrolRole.DELEGATE
    return PatrolRole.CHIEF


def _specificity(rule: PatrolRule, month: int) -> tuple[int, int, int]:
    depth = len(rule.region.path) if rule.region_id else -1
    return depth, rule.chief_level is not None, bool(rule.months and month in rule.months)


def rule_for(
    role: str, level: int | None, region, when: datetime.datetime | None = None
) -> PatrolRule | None:
    """The rule for a patroller of `role` and chief `level` in `region` at `when` (None when there is none)."""
    month = (when or datetime.datetime.now()).month
    regions = Q(region=None)
    if region is not None:
        regions |= Q(region=region) | Q(region__in=region.ancestors())
    candidates = [
        rule
        for rule in PatrolRule.objects.filter(regions, role=role)
        .filter(Q(chief_level=None) | Q(chief_level=level))
        .select_related("region")
        if not rule.months or month in rule.months
    ]
    if not candidates:
        return None
    return max(candidates, key=lambda rule: _specificity(rule, month))


def scoring_rules(rule: PatrolRule | None) -> ScoringRules:
    if rule is None:
        return ScoringRules()
    return ScoringRules(
        buffer_m=float(rule.buffer_m),
        min_duration_s=rule.min_duration_min * 60.0,
        min_distance_m=float(rule.min_distance_m),
        min_coverage=rule.min_coverage_pct / 100.0,
        max_avg_speed_mps=rule.max_speed_kmh / 3.6,
        max_start_distance_m=float(rule.max_start_distance_m),
        require_checklist=rule.require_checklist,
    )
