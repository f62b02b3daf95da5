"""Building the demo cases: each spec reported through `create_case` and moved by `workflow.perform`, step by step,
each step under the clock of its moment, with notifications held back but for a few that ring the demo bells.
"""

from __future__ import annotations

import contextlib
import datetime
import random
import time
from collections import Counter
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from hezhang.accounts.models import User
from hezhang.cases import notices, workflow
from hezhang.cases.demo.clock import clock
from hezhang.cases.demo.people import Cast, Target, account, reporter, targets_for
from hezhang.cases.demo.pictures import shot
from hezhang.cases.demo.places import Places
from hezhang.cases.demo.specs import Spec, Step, draw
from hezhang.cases.demo.stories import HOUR, fill_in, plan
from hezhang.cases.intake import attach_photo, create_case
from hezhang.cases.models import Case, CaseEvent, CasePhoto, CaseState
from hezhang.cases.summary import rebuild as rebuild_case_days
from hezhang.history.context import not_recorded
from hezhang.registry.models import Region

MARK = "demo-"  # the client id of every demo case: how a second build knows they are there


@contextlib.contextmanager
def quiet():
    """No notifications: 240 cases' worth of history would flood the bells and the SMS outbox."""
    real = notices.after
    notices.after = lambda event: None
    try:
        yield
    finally:
        notices.after = real


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
    office = account("township_office")
    if office is None or Case.objects.filter(client_id__startswith=MARK).exists():
        return summary(built=False)
    started = time.perf_counter()
    rng = random.Random(seed * 104729 + 3)
    township = office.region
    county = township.parent
    village_chief = account("village_chief")
    cast = Cast(county, random.Random(seed))
    places = Places(county, township, village_chief)
    now = timezone.now()
    specs = draw(count, rng)
    plan(specs, rng, now, places)
    specs.sort(key=lambda s: s.created)
    made: dict[int, Case] = {}
    with not_recorded(), transaction.atomic():
        with quiet():
            for n, spec in enumerate(specs):
                made[spec.k] = _build_one(spec, n, seed, cast, rng, now, village_chief, made)
        _ring_bells(township, village_chief)
        # Report times were moved back with update(), around the signals that keep the cases' rows a day.
        rebuild_case_days()
    if log:
        log(f"  案件 cases: {time.perf_counter() - started:.1f} s")
    return summary(built=True)


def _build_one(spec, n, seed, cast, rng, now, village_chief, made) -> Case:
    short, template, _result = spec.text
    who = reporter(spec, cast, rng)
    prefix = who.pop("prefix")
    description = prefix + fill_in(template, spec)
    if spec.channel == "public" and rng.random() < 0.4:
        description += rng.choice(("，希望尽快处理", "，已经好几天了", "，请有关部门管一管"))
    photos = []
    if spec.channel in ("public", "patrol", "inspection"):  # a caller sends no photo
        photos.append(shot(spec, spec.created - datetime.timedelta(minutes=rng.uniform(2, 40)), False, rng))
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
    targets = targets_for(spec, case, cast, rng, village_chief)
    for step in spec.steps:
        if step.at >= now - datetime.timedelta(minutes=1):
            break
        with clock(step.at):
            photo = None
            if step.photo:
                taken = step.at - rng.uniform(0.2, 3.0) * HOUR
                photo = attach_photo(case, *shot(spec, taken, True, rng), "after")
            event = _perform(step, case, spec, cast, targets, made)
            if step.action == "escalate":
                case.office_id = event.data["to_office"]
            if photo is not None:
                CasePhoto.objects.filter(pk=photo.pk).update(event=event)
    return case


def _ring_bells(township: Region, village_chief: User | None) -> None:
    """A handful of real notifications, sent as they would have been, so the demo accounts' bells show something."""
    staff = account("department_staff")
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
    states = [(s.code, s.display_label, counts[s.code]) for s in CaseState.objects.all() if counts[s.code]]
    return {"built": built, "total": sum(counts.values()), "states": states}
