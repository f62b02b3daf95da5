"""What each demo case is to be (`Spec`), the steps it will take (`Step`), and the season's mix they are drawn from.

The mix: which problems, reported through which channels, ending how, in what shares. `draw` deals it out.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field

from hezhang.cases.demo.places import Place
from hezhang.cases.models import CaseCategory

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


def draw(count: int, rng: random.Random) -> list[Spec]:
    """`count` specs dealt from the mix: every fate its share, then a channel, a category, urgency and flags."""
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
