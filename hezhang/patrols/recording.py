"""A patrol from start to verdict: start it, take points in batches, end it, seal its track and score it.

Every way in (the field app's batches, a tracker over the OsmAnd protocol, a GPX file) ends up here, so the rules
of what is accepted, kept and counted are the same for all of them.
"""

import datetime
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from hezhang.accounts.models import Role
from hezhang.patrols.cleaning import clean
from hezhang.patrols.coverage_map import as_lines
from hezhang.patrols.models import ChecklistAnswer, ChecklistItem, Patrol, PatrolEvent, PatrolPoint, Source
from hezhang.patrols.points import PointError, TrackPoint
from hezhang.patrols.rules import role_of, rule_for, scoring_rules
from hezhang.patrols.scoring import score
from hezhang.patrols.sealing import seal, unseal
from hezhang.registry.models import ChiefAssignment, DelegateLink, Reach

# Device clocks drift and phones queue points: a point may predate the patrol's start by this much.
EARLY_SLACK_S = 600.0
# How far from the track's extent a reach may lie and still be a candidate for scoring.
CANDIDATE_MARGIN_DEG = 0.01  # about 1 km
# The live view's last-heard time is refreshed at most this often, to keep a batch to two statements.
LIVE_REFRESH = datetime.timedelta(minutes=3)


class PatrolClosed(ValueError):
    """Points or answers for a patrol that has already ended."""


@dataclass
class BatchResult:
    accepted: int = 0
    duplicates: int = 0
    rejected: list[PointError] = field(default_factory=list)


def responsible_reaches(user):
    """The reaches `user` answers for today: assigned reaches, and every reach of wholly assigned water bodies.

    A delegate's are those of their current links (代表联系河湖), read the same way: a linked reach, or every reach
    of a linked water body within the link's region.
    """
    if user.role == Role.DELEGATE:
        rows = DelegateLink.objects.current().filter(delegate=user).select_related("region")
    else:
        rows = ChiefAssignment.objects.current().filter(chief=user).select_related("region")
    q = Q(pk__in=[])
    for row in rows:
        if row.reach_id:
            q |= Q(pk=row.reach_id)
        else:
            q |= Q(water_body_id=row.water_body_id, region__path__startswith=row.region.path)
    return Reach.objects.filter(q)


def start_patrol(
    user,
    *,
    reaches: Sequence[Reach] = (),
    client_id: str | None = None,
    started_at: datetime.datetime | None = None,
    source: str = Source.APP,
    device_id: str = "",
) -> tuple[Patrol, bool]:
    """Open a patrol (or return the one this client id already opened); returns (patrol, created)."""
    if client_id:
        existing = Patrol.objects.filter(client_id=client_id, patroller=user).first()
        if existing is not None:
            return existing, False
    region = reaches[0].region if reaches else user.region
    try:
        with transaction.atomic():
            patrol = Patrol.objects.create(
                client_id=client_id or None,
                patroller=user,
                role=role_of(user),
                chief_level=user.chief_level,
                region=region,
                source=source,
                device_id=device_id,
                started_at=started_at or timezone.now(),
            )
            patrol.reaches.set(reaches)
            PatrolEvent.objects.create(
                patrol=patrol, action="start", actor=user, data={"reaches": [r.pk for r in reaches]}
            )
    except IntegrityError:
        existing = Patrol.objects.filter(client_id=client_id).first() if client_id else None
        if existing is None or existing.patroller_id != user.pk:
            raise
        return existing, False
    return patrol, True


def _seq(point: TrackPoint) -> int:
    # Sources without their own numbering (trackers, GPX) are numbered by time, to the millisecond.
    return point.seq if point.seq is not None else int(round(point.t * 1000))


def add_points(
    patrol: Patrol, points: Iterable[TrackPoint], rejected: Sequence[PointError] = (), *, locked: bool = False
) -> BatchResult:
    """Stage points of an open patrol; a point whose sequence number is already staged adds nothing.

    The batch is committed before this returns, so the client may forget it once acknowledged. Ending the patrol
    locks its row; so does this, so a batch lands either wholly before the track is sealed or not at all (then
    PatrolClosed). One INSERT ... ON CONFLICT DO NOTHING RETURNING tells new points from resent ones: a batch
    costs two statements, which is what lets one server take a province's phones at their peak. A caller that
    already holds the lock (it read the patrol with select_for_update in its own transaction) says `locked=True`.
    """
    rows: dict[int, TrackPoint] = {}
    for point in points:
        rows.setdefault(_seq(point), point)
    result = BatchResult(rejected=list(rejected))
    with transaction.atomic(savepoint=False):
        if locked:
            state = (patrol.ended_at, patrol.last_point_at)
        else:
            state = (
                Patrol.objects.select_for_update(no_key=True)
                .filter(pk=patrol.pk)
                .values_list("ended_at", "last_point_at")
                .first()
            )
        if state is None or state[0] is not None:
            raise PatrolClosed("巡河已结束，不能再上传轨迹")
        if not rows:
            return result
        table = connection.ops.quote_name(PatrolPoint._meta.db_table)
        columns = ", ".join(
            connection.ops.quote_name(c)
            for c in ("patrol_id", "seq", "t", "lon", "lat", "accuracy", "speed", "heading", "altitude")
        )
        values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s, %s)"] * len(rows))
        params: list = []
        for seq, p in rows.items():
            params += [patrol.pk, seq, p.t, p.lon, p.lat, p.accuracy, p.speed, p.heading, p.altitude]
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {values} "
                "ON CONFLICT (patrol_id, seq) DO NOTHING RETURNING seq",
                params,
            )
            result.accepted = len(cursor.fetchall())
        result.duplicates = len(rows) - result.accepted
        # When the patrol was last heard of, for the live view: refreshed at most every few minutes.
        latest = datetime.datetime.fromtimestamp(max(p.t for p in rows.values()), tz=datetime.UTC)
        if state[1] is None or latest - state[1] > LIVE_REFRESH:
            Patrol.objects.filter(pk=patrol.pk).update(last_point_at=latest)
    return result


def not_before(patrol: Patrol) -> float:
    return patrol.started_at.timestamp() - EARLY_SLACK_S


def staged_points(patrol: Patrol) -> list[TrackPoint]:
    return [
        TrackPoint(
            t=row.t,
            lon=row.lon,
            lat=row.lat,
            accuracy=row.accuracy,
            speed=row.speed,
            heading=row.heading,
            altitude=row.altitude,
            seq=row.seq,
        )
        for row in PatrolPoint.objects.filter(patrol=patrol).order_by("t", "seq")
    ]


def track_points(patrol: Patrol) -> list[TrackPoint]:
    """Every point received for the patrol: from the sealed track once ended, from the staging rows before."""
    if patrol.track:
        return unseal(bytes(patrol.track))
    return staged_points(patrol)


def answer_checklist(patrol: Patrol, answers: dict[str, bool], notes: dict[str, str] | None = None) -> int:
    """Record yes/no answers by checklist item code; unknown codes are ignored. Returns how many were kept."""
    items = {item.code: item for item in ChecklistItem.objects.filter(code__in=list(answers), active=True)}
    kept = 0
    for code, found in answers.items():
        item = items.get(code)
        if item is None:
            continue
        ChecklistAnswer.objects.update_or_create(
            patrol=patrol,
            item=item,
            defaults={"found": bool(found), "note": (notes or {}).get(code, "")[:200]},
        )
        kept += 1
    return kept


def end_patrol(
    patrol: Patrol, *, actor=None, ended_at: datetime.datetime | None = None, note: str = ""
) -> Patrol:
    """Seal the staged points into the patrol's track, delete the staging rows, and score it.

    Ending twice is harmless: the second call returns the patrol as it is.
    """
    with transaction.atomic():
        patrol = Patrol.objects.select_for_update().get(pk=patrol.pk)
        if not patrol.is_open:
            return patrol
        points = staged_points(patrol)
        _store_track(patrol, points)
        patrol.ended_at = ended_at or (
            datetime.datetime.fromtimestamp(points[-1].t, tz=datetime.UTC) if points else timezone.now()
        )
        if note:
            patrol.note = note
        patrol.save()
        PatrolPoint.objects.filter(patrol=patrol).delete()
        PatrolEvent.objects.create(patrol=patrol, action="end", actor=actor, data={"points": len(points)})
        score_patrol(patrol, points)
    return patrol


def _store_track(patrol: Patrol, points: list[TrackPoint]) -> None:
    patrol.track = seal(points) if points else None
    patrol.point_count = len(points)
    if points:
        lons = [p.lon for p in points]
        lats = [p.lat for p in points]
        patrol.min_lon, patrol.max_lon = min(lons), max(lons)
        patrol.min_lat, patrol.max_lat = min(lats), max(lats)


def _candidate_reaches(patrol: Patrol, points: list[TrackPoint]) -> list[Reach]:
    chosen = list(patrol.reaches.all())
    if chosen or not points:
        return chosen
    m = CANDIDATE_MARGIN_DEG
    near = responsible_reaches(patrol.patroller).filter(
        min_lon__lte=patrol.max_lon + m,
        max_lon__gte=patrol.min_lon - m,
        min_lat__lte=patrol.max_lat + m,
        max_lat__gte=patrol.min_lat - m,
    )
    return list(near)


# Atomic: the verdict, the reaches and the patrol summaries kept from them (summary.py) change together or not at all.
@transaction.atomic
def score_patrol(patrol: Patrol, points: list[TrackPoint] | None = None, *, actor=None) -> Patrol:
    """Clean the track, pick the rule, score against the patrol's reaches and store the verdict."""
    points = track_points(patrol) if points is None else points
    reaches = _candidate_reaches(patrol, points)
    rule = rule_for(patrol.role, patrol.chief_level, patrol.region, patrol.started_at)
    rules = scoring_rules(rule)
    cleaned = clean(points)
    answered = patrol.answers.count()
    reaches = [r for r in reaches if as_lines(r.geometry)]
    result = score(
        cleaned.kept, [(r.pk, as_lines(r.geometry)) for r in reaches], rules, checklist_answered=answered
    )
    if not patrol.reaches.exists() and reaches:
        # A tracker or GPX patrol is about the reaches it actually covered (or, if none, the nearest one).
        touched = {c.reach_id for c in result.reaches if c.coverage > 0}
        if touched and len(touched) < len(reaches):
            reaches = [r for r in reaches if r.pk in touched]
            result = score(
                cleaned.kept,
                [(r.pk, as_lines(r.geometry)) for r in reaches],
                rules,
                checklist_answered=answered,
            )
        patrol.reaches.set(reaches)
        if reaches and patrol.region_id != reaches[0].region_id:
            patrol.region = reaches[0].region
    detail = result.as_dict()
    detail["cleaning"] = cleaned.counts
    patrol.rule = rule
    patrol.scored_at = timezone.now()
    patrol.is_valid = result.is_valid
    patrol.duration_s = result.duration_s
    patrol.distance_m = result.distance_m
    patrol.coverage = result.coverage
    patrol.max_speed_mps = result.max_speed_mps
    patrol.mode = result.mode
    patrol.reasons = [{"code": r.code, "value": r.value, "limit": r.limit} for r in result.reasons]
    patrol.flags = list(result.flags)
    patrol.score = detail
    patrol.save()
    if actor is not None:
        PatrolEvent.objects.create(
            patrol=patrol, action="rescore", actor=actor, data={"valid": result.is_valid}
        )
    return patrol


def import_points(
    user, points: list[TrackPoint], *, reaches: Sequence[Reach] = (), source: str = Source.GPX, note: str = ""
) -> Patrol:
    """A patrol recorded elsewhere (a GPX file): opened, filled and ended at once."""
    if not points:
        raise PointError("文件中没有轨迹点", field="file")
    ordered = sorted(points, key=lambda p: p.t)
    start = datetime.datetime.fromtimestamp(ordered[0].t, tz=datetime.UTC)
    with transaction.atomic():
        patrol, _created = start_patrol(user, reaches=reaches, started_at=start, source=source)
        add_points(patrol, [TrackPoint(**{**_as_kwargs(p), "seq": i}) for i, p in enumerate(ordered)])
        return end_patrol(patrol, actor=user, note=note)


def _as_kwargs(point: TrackPoint) -> dict:
    return {name: getattr(point, name) for name in TrackPoint.__slots__}


def now() -> float:
    return time.time()
