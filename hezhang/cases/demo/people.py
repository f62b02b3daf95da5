"""Who the demo cases come from and go to: the demo county's people, demo accounts first wherever they fit."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass

from hezhang.accounts.models import Role, User
from hezhang.cases.demo.specs import Spec
from hezhang.cases.demo.texts import SURNAMES
from hezhang.cases.models import Case
from hezhang.registry.demo.accounts import DEMO_ACCOUNTS
from hezhang.registry.models import ChiefAssignment, Department, Office, Region

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


def account(username: str) -> User | None:
    """One of the demo accounts, or None when the registry's demo has not been built."""
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


def reporter(spec: Spec, cast: Cast, rng: random.Random) -> dict:
    """Who reports the case, as `create_case` arguments, and how its description begins ("prefix")."""
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


def targets_for(
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
