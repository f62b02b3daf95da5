"""Building the demo patrols: every patrol's track walked along its reach, sealed, and scored as `score_patrol` would.

Thousands of patrols go in with a few bulk inserts. Each is cleaned and scored by the same pure functions
(`clean`, `score`) under the same rule (`rule_for`) that `score_patrol` uses, with the reach lines prepared once
instead of once per patrol; the verdict is stored the way `score_patrol` stores it, so `hezhang patrol rescore`
changes nothing. The two patrols still open go through `start_patrol` and `add_points`, as a phone's would.
"""

from __future__ import annotations

import dataclasses
import datetime
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from hezhang.accounts.models import Role, User
from hezhang.history.context import not_recorded
from hezhang.patrols.demo import texts
from hezhang.patrols.demo.patrollers import Patroller, Reaches, delegates, patrollers
from hezhang.patrols.demo.schedule import Habit, draw_habit, kind_of, patrol_times, plan_walk
from hezhang.patrols.demo.tracks import Done, Job, run
from hezhang.patrols.demo.walks import Walk, walk
from hezhang.patrols.models import ChecklistAnswer, ChecklistItem, Patrol, PatrolEvent, PatrolRole, PatrolRule
from hezhang.patrols.recording import add_points, start_patrol
from hezhang.patrols.rules import rule_for, scoring_rules
from hezhang.patrols.summary import add as add_to_summaries
from hezhang.registry.demo.accounts import DEMO_ACCOUNTS
from hezhang.registry.models import Reach, Region

MARK = "demo-"  # the client id of every demo patrol: how a second build knows they are there
LIVE = 2  # patrols under way when the build ends
BATCH = 1000
VISIT_WALKS = 500_000  # delegates' walks are numbered from here, apart from everyone else's


@dataclass
class Draft:
    """One patrol before it is walked: who, where, how, and the checklist."""

    who: Patroller
    reach: Reach
    plan: Walk
    answers: list[tuple[ChecklistItem, bool, str]] = field(default_factory=list)
    note: str = ""
    rule: PatrolRule | None = None

    @property
    def started(self) -> datetime.datetime:
        return _at(round(self.plan.t0, 3))


def _at(t: float) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(t, tz=datetime.UTC)


class Builder:
    def __init__(self, county: Region, seed: int, now: datetime.datetime, months: float) -> None:
        self.rng = random.Random(seed * 7307 + 11)
        self.seed = seed
        self.now = now
        self.start = now - datetime.timedelta(days=round(months * 30.44))
        self.reaches = Reaches(county)
        self.people = patrollers(county, self.reaches)
        self.items = list(ChecklistItem.objects.filter(active=True).order_by("order", "code"))
        self.rules: dict[tuple, PatrolRule | None] = {}
        self.ruled = set(PatrolRule.objects.exclude(region=None).values_list("region__path", flat=True))
        self.walks = 0

    def drafts(self) -> list[Draft]:
        out = []
        for who in self.people:
            habit = draw_habit(self.rng)
            # Leaders above the township patrol at least once a season; county chiefs often monthly.
            level = who.level if who.role == PatrolRole.CHIEF else None
            at_least = 1 if level in (1, 2) else self.rng.randint(1, 3) if level == 3 else 0
            end = self.now - datetime.timedelta(hours=3)
            for when in patrol_times(self.rng, who.demands, habit, self.start, end, at_least):
                out.append(self.draft(who, kind_of(self.rng, habit), when.timestamp()))
        out.sort(key=lambda d: (d.plan.t0, d.who.user.pk))
        return out

    def visits(self) -> list[Draft]:
        """Delegates' visits (视察) to the water bodies they are linked to, about monthly each and mostly done
        properly. Drawn after everyone else's patrols and with dice of their own, so those stay as they were."""
        rng = random.Random(self.seed * 7307 + 13)
        end = self.now - datetime.timedelta(hours=3)
        out = []
        for who in delegates(self.reaches):
            habit = Habit(rng.uniform(0.6, 1.2), 1.0, False)
            for when in patrol_times(rng, who.demands, habit, self.start, end, at_least=1):
                seed = self.seed * 1_000_003 + VISIT_WALKS + len(out)
                out.append(self.draft(who, kind_of(rng, habit), when.timestamp(), rng, seed))
        return out

    def draft(
        self, who: Patroller, kind: str, t0: float, rng: random.Random | None = None, seed: int | None = None
    ) -> Draft:
        rng = rng or self.rng
        reach = rng.choice(who.reaches)
        bank = self.reaches.banks[reach.pk]
        if seed is None:
            self.walks += 1
            seed = self.seed * 1_000_003 + self.walks
        plan, _how = plan_walk(rng, kind, bank.length, who.demands, t0, seed)
        draft = Draft(who, reach, plan)
        if kind in ("unchecked", "driving"):
            return draft
        codes = [i.code for i in self.items if i.applies_to(reach.water_body.kind)]
        found = texts.finding(rng, codes) if rng.random() < 0.08 else None
        for item in self.items:
            if item.code in codes:
                note = texts.found_note(rng, item.code, reach.name) if item.code == found else ""
                draft.answers.append((item, item.code == found, note))
        if found:
            draft.note = "巡河发现：" + texts.found_note(rng, found, reach.name)
        elif kind == "valid" and rng.random() < 0.35:
            draft.note = texts.quiet_note(rng, reach.name)
        return draft

    def rule(self, who: Patroller, region: Region, when: datetime.datetime) -> PatrolRule | None:
        # Only the regions with rules of their own tell two places apart (looking up ancestors is slow).
        key = (
            who.role,
            who.user.chief_level,
            when.month,
            *sorted(p for p in self.ruled if region.path.startswith(p)),
        )
        if key not in self.rules:
            self.rules[key] = rule_for(who.role, who.user.chief_level, region, when)
        return self.rules[key]

    def patrol(self, n: int, draft: Draft, done: Done) -> Patrol:
        """The patrol row of a draft, with its sealed track and the verdict `score_patrol` would give."""
        ended = _at(done.last_t)
        return Patrol(
            client_id=f"{MARK}{self.seed}-{n:05d}",
            patroller=draft.who.user,
            role=draft.who.role,
            chief_level=draft.who.user.chief_level,
            region=draft.reach.region,
            started_at=_at(done.first_t),
            ended_at=ended,
            last_point_at=ended,
            note=draft.note,
            track=done.track,
            point_count=done.point_count,
            min_lon=done.bbox[0],
            min_lat=done.bbox[1],
            max_lon=done.bbox[2],
            max_lat=done.bbox[3],
            rule=draft.rule,
            scored_at=ended,
            **done.verdict,
        )

    def save(self, drafts: list[Draft]) -> None:
        for d in drafts:
            d.rule = self.rule(d.who, d.reach.region, d.started)
        jobs = [Job(d.reach.pk, d.plan, scoring_rules(d.rule), len(d.answers)) for d in drafts]
        done = run(
            jobs, {pk: (bank, self.reaches.by_pk[pk].geometry) for pk, bank in self.reaches.banks.items()}
        )
        for first in range(0, len(drafts), BATCH):
            batch = drafts[first : first + BATCH]
            rows = Patrol.objects.bulk_create(
                [self.patrol(first + k, d, done[first + k]) for k, d in enumerate(batch)]
            )
            Through = Patrol.reaches.through
            _insert(
                Through,
                ["patrol_id", "reach_id"],
                [(p.pk, d.reach.pk) for p, d in zip(rows, batch, strict=True)],
            )
            answers = [
                (p.pk, item.pk, found, note)
                for p, d in zip(rows, batch, strict=True)
                for item, found, note in d.answers
            ]
            _insert(ChecklistAnswer, ["patrol_id", "item_id", "found", "note"], answers)
            events = []
            for p, d in zip(rows, batch, strict=True):
                user = d.who.user
                events.append(
                    PatrolEvent(
                        patrol=p, action="start", actor=user, at=p.started_at, data={"reaches": [d.reach.pk]}
                    )
                )
                events.append(
                    PatrolEvent(
                        patrol=p, action="end", actor=user, at=p.ended_at, data={"points": p.point_count}
                    )
                )
            PatrolEvent.objects.bulk_create(events)

    def live(self, township: Region) -> None:
        """Patrols under way right now, by a village chief and a grid member of the demo township."""
        demo = {u for u, _zh, _en in DEMO_ACCOUNTS}
        for k, role in enumerate((Role.CHIEF, Role.GRID)[:LIVE]):
            who = [
                p
                for p in self.people
                if p.user.role == role
                and p.user.username not in demo
                and p.user.region.path.startswith(township.path)
                and (p.user.chief_level or 5) == 5
            ]
            if not who:
                continue
            patroller = self.rng.choice(who)
            t0 = (self.now - datetime.timedelta(minutes=self.rng.uniform(12, 35))).timestamp()
            draft = self.draft(patroller, "valid", t0)
            upto = self.now.timestamp() - self.rng.uniform(5, 20)
            # A ride along a long reach can be over within minutes: started later, it is still under way now.
            takes = draft.plan.distance_m / draft.plan.speed_mps
            if t0 + takes < upto + 2 * 60:
                t0 = upto - 0.85 * takes
                draft.plan = dataclasses.replace(draft.plan, t0=t0)
            points = [p for p in walk(self.reaches.banks[draft.reach.pk], draft.plan) if p.t <= upto]
            patrol, _created = start_patrol(
                patroller.user,
                reaches=[draft.reach],
                client_id=f"{MARK}{self.seed}-live{k}",
                started_at=_at(t0),
            )
            PatrolEvent.objects.filter(patrol=patrol).update(at=patrol.started_at)
            add_points(patrol, points)


def _insert(model, columns: list[str], rows: list[tuple]) -> None:
    """Plain rows in one statement per batch: a hundred thousand checklist answers are too many for the ORM."""
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)


def build_patrols(seed: int = 7, log: Callable[[str], None] | None = print, months: float = 3) -> dict:
    """Fill the demo county with `months` of patrols unless they are there; return summary().

    Does nothing (and reports what is there) when demo patrols exist or when there is no demo county.
    """
    chief = User.objects.filter(username="village_chief").select_related("region__parent__parent").first()
    if chief is None or chief.region is None or Patrol.objects.filter(client_id__startswith=MARK).exists():
        return summary(built=False)
    started = time.perf_counter()
    township = chief.region.parent
    builder = Builder(township.parent, seed, timezone.now(), months)
    drafts = builder.drafts()
    drafts += builder.visits()
    drafts.sort(key=lambda d: (d.plan.t0, d.who.user.pk))
    with not_recorded(), transaction.atomic():
        builder.save(drafts)
        # Bulk-inserted around the signals that keep the summaries: added to them here, in bulk too. The patrols
        # still under way go through start_patrol, which keeps them itself.
        add_to_summaries(Patrol.objects.filter(client_id__startswith=MARK))
        builder.live(township)
        link_patrol_cases()
    if log:
        log(f"  巡河 patrols: {time.perf_counter() - started:.1f} s")
    return summary(built=True)


def link_patrol_cases() -> int:
    """Tie each demo case a chief reported from a patrol (channel 巡河发现) to that chief's latest patrol before it.

    The cases are built first (the cases app knows nothing of patrols), so the link is made here, afterwards.
    """
    from hezhang.cases.models import Case

    linked = 0
    week = datetime.timedelta(days=7)
    for case in Case.objects.filter(channel="patrol", reporter__isnull=False, patrols=None):
        patrol = (
            Patrol.objects.filter(
                patroller_id=case.reporter_id,
                client_id__startswith=MARK,
                started_at__lte=case.created_at,
                started_at__gte=case.created_at - week,
            )
            .order_by("-started_at")
            .first()
        )
        if patrol is not None:
            patrol.cases.add(case)
            linked += 1
    return linked


def summary(built: bool) -> dict:
    patrols = Patrol.objects.filter(client_id__startswith=MARK)
    verdicts = Counter(patrols.values_list("is_valid", flat=True))
    reasons: Counter[str] = Counter()
    for row in patrols.filter(is_valid=False).values_list("reasons", flat=True):
        reasons.update(r["code"] for r in row)
    return {
        "built": built,
        "total": sum(verdicts.values()),
        "valid": verdicts[True],
        "invalid": verdicts[False],
        "open": patrols.filter(ended_at=None).count(),
        "reasons": dict(reasons.most_common()),
    }
