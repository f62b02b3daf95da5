"""How each demo case moves through the workflow: its steps written forward from the report, then moved back.

A story starts from a report today and writes the steps its fate asks for, in office hours where people act;
`plan` then moves it back a whole number of days so that it ends, before now, the way its fate says (a case
`in_progress` still before its deadline, an `overdue` one some days past it), and adds what the scheduled
deadline check would have done meanwhile. The workflow itself runs each step later (`cases.build_cases`).
"""

from __future__ import annotations

import datetime
import math
import random

from django.conf import settings
from django.utils import timezone

from hezhang.cases import workflow
from hezhang.cases.demo.places import Places, near
from hezhang.cases.demo.specs import Spec, Step
from hezhang.cases.demo.texts import NOTES, RATINGS, TEXTS

DAYS = 88  # the public map shows the last 90 days
DAY = datetime.timedelta(days=1)
HOUR = datetime.timedelta(hours=1)


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
        result = fill_in(spec.text[2], spec)
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
        spec.place = near(original.place, rng)
        latest = (now - original.created) / DAY - 0.6
        created = original.created + rng.uniform(0.5, max(0.6, min(20.0, latest))) * DAY
        story = Story(spec, rng, created)
        spec.created = story.t = min(story.office_hours(created), max(created, now - 0.6 * DAY))
        story.add("merge", "office", (0.5, 16.0))
        spec.steps = story.steps if story.t < now else []


def _moved(step: Step, days: int) -> Step:
    params = {k: (v - days * DAY if isinstance(v, datetime.datetime) else v) for k, v in step.params.items()}
    return Step(step.at - days * DAY, step.action, step.who, step.note, params, step.target, step.photo)


def _sizes(rng: random.Random) -> dict:
    """How big the problem is, the same in the report and in what the handler says was done."""
    return {
        "a": rng.choice((5, 8, 10, 15, 20, 30, 50)),
        "m": rng.choice((0.5, 1, 2, 3, 5, 8)),
        "l": rng.choice((5, 10, 20, 30, 50)),
        "d": rng.choice((20, 30, 40, 60)),
        "n": rng.randint(2, 9),
    }


def fill_in(template: str, spec: Spec) -> str:
    """One of the `texts` templates, told of this case's place and sizes."""
    return template.format(p=spec.place.place, s=spec.place.surface, **spec.sizes)
