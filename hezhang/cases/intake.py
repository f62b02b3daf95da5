"""Creating a case from any channel: number it, route it, record the report event, keep its photos.

Nothing accepted is lost: the case and its first event are committed in one transaction before the answer,
and a retry carrying the same client id returns the case already made.

A report's photos are checked and their originals stored at once, but the public copy and the thumbnail are
rendered by a background job (`render_pending`, nudged when the report commits): decoding a 12 MP photo is
most of a report's cost, and a burst of reports should be taken as fast as they come. Until then pages show
the photo as being processed. Photos staff attach to a step (`attach_photo`) are rendered at once.
"""

import logging
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from hezhang.cases.models import Case, CaseEvent, CaseNumber, CasePhoto, CaseVideo
from hezhang.cases.photos import PhotoError, PhotoInfo
from hezhang.cases.routing import route
from hezhang.cases.videos import VideoInfo

log = logging.getLogger(__name__)

RENDER_JOB = "cases.photos"


class IntakeError(ValueError):
    """A report that cannot become a case; the message names the field."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def next_number(region) -> str:
    """Region code + date + sequence, short enough to read out on the phone: 130523-261122-0007.

    The counter row is bumped by one upsert (its own transaction when not already inside one), so
    concurrent reports queue on one tiny statement instead of colliding on the unique number; a failed report
    leaves a gap.
    """
    prefix = f"{region.code[:6]}-{timezone.localdate():%y%m%d}-"
    table = connection.ops.quote_name(CaseNumber._meta.db_table)
    prefix_col, last_col = connection.ops.quote_name("prefix"), connection.ops.quote_name("last")
    # One statement is its own transaction outside an atomic block; inside one it joins it.
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({prefix_col}, {last_col}) VALUES (%s, 1) "
            f"ON CONFLICT ({prefix_col}) DO UPDATE SET {last_col} = {table}.{last_col} + 1 RETURNING {last_col}",
            [prefix],
        )
        (last,) = cursor.fetchone()
    return f"{prefix}{last:04d}"


@dataclass
class PreparedPhoto:
    """A photo checked (and, for staff uploads, rendered) before any transaction opens."""

    data: bytes
    filename: str
    info: PhotoInfo
    public: bytes | None = None
    thumbnail: bytes | None = None


@dataclass
class PreparedVideo:
    """A video checked by its container structure; `stream` is the uploaded file, read again when stored."""

    stream: object
    filename: str
    info: VideoInfo


def prepare_photo(
    data: bytes, filename: str, info: PhotoInfo | None = None, *, render: bool = False
) -> PreparedPhoto:
    from hezhang.cases.photo_copies import render as render_copies
    from hezhang.cases.photos import inspect

    info = info or inspect(data, filename, decode=not render)
    if not render:
        return PreparedPhoto(data, filename, info)
    copies = render_copies(data)
    return PreparedPhoto(data, filename, info, copies.public, copies.thumbnail)


def create_case(
    *,
    category,
    channel: str,
    lon: float,
    lat: float,
    title: str = "",
    description: str = "",
    urgency: str = "normal",
    address: str = "",
    reporter=None,
    reporter_name: str = "",
    reporter_phone: str = "",
    client_id: str | None = None,
    photos=(),
    videos=(),
) -> tuple[Case, bool]:
    """Make the case; returns (case, created). `photos` are PreparedPhoto or (bytes, filename) pairs,
    `videos` PreparedVideo."""
    # A retry with a known client id is found by the unique constraint below, which costs nothing on the
    # usual path (the public API looks it up before anything else anyway).
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise IntakeError("location", "位置坐标超出范围")
    routing = route(lon, lat, category)
    if routing is None:
        raise IntakeError("location", "平台尚未设置任何河长办，无法受理")
    prepared = [p if isinstance(p, PreparedPhoto) else prepare_photo(*p) for p in photos]
    for attempt in range(5):
        number = next_number(routing.region)
        try:
            with transaction.atomic():
                case = Case.objects.create(
                    number=number,
                    title=(title or category.name)[:100],
                    description=description,
                    category=category,
                    channel=channel,
                    urgency=urgency,
                    lon=lon,
                    lat=lat,
                    address=address,
                    state_id="reported",
                    reporter=reporter if getattr(reporter, "is_authenticated", False) else None,
                    reporter_name=reporter_name,
                    reporter_phone=reporter_phone,
                    client_id=client_id or None,
                    region=routing.region,
                    water_body=routing.water_body,
                    reach=routing.reach,
                    grid=routing.grid,
                    office=routing.office,
                    proposed_department=routing.department,
                    outside_jurisdiction=routing.outside,
                    routing_note=routing.note,
                )
                Case.chiefs.through.objects.bulk_create(
                    [Case.chiefs.through(case=case, user=chief) for chief in routing.chiefs]
                )
                event = CaseEvent.objects.create(
                    case=case,
                    action="report",
                    to_state_id="reported",
                    actor=case.reporter,
                    note=description,
                    data={"channel": channel, "routing": routing.note},
                )
                for photo in prepared:
                    save_photo(case, photo, "before", event)
                for video in videos:
                    save_video(case, video, "before", event)
                if any(photo.public is None for photo in prepared):
                    transaction.on_commit(_nudge_renderer)
            return case, True
        except IntegrityError:
            # Another report took the same number, or the same client id, a moment earlier.
            if client_id:
                existing = Case.objects.filter(client_id=client_id).first()
                if existing is not None:
                    return existing, False
            if attempt == 4:
                raise
    raise AssertionError("unreachable")


def attach_photo(case: Case, data: bytes, filename: str, stage: str, event=None) -> CasePhoto:
    return save_photo(case, prepare_photo(data, filename, render=True), stage, event)


def save_photo(case: Case, prepared: PreparedPhoto, stage: str, event=None) -> CasePhoto:
    info = prepared.info
    photo = CasePhoto(
        case=case,
        event=event,
        stage=stage,
        sha256=info.sha256,
        width=info.width,
        height=info.height,
        lon=info.lon,
        lat=info.lat,
        taken_at=timezone.make_aware(info.taken_at)
        if info.taken_at and timezone.is_naive(info.taken_at)
        else info.taken_at,
    )
    photo.original.save(prepared.filename, ContentFile(prepared.data), save=False)
    if prepared.public is not None and prepared.thumbnail is not None:
        _store_copies(photo, prepared.public, prepared.thumbnail)
    photo.save()
    return photo


def save_video(case: Case, prepared: PreparedVideo, stage: str, event=None) -> CaseVideo:
    from django.core.files import File

    info = prepared.info
    video = CaseVideo(
        case=case,
        event=event,
        stage=stage,
        sha256=info.sha256,
        container=info.container,
        size_bytes=info.size_bytes,
        duration_s=info.duration_s,
    )
    prepared.stream.seek(0)
    video.original.save(prepared.filename, File(prepared.stream), save=False)
    video.save()
    return video


def _store_copies(photo: CasePhoto, public: bytes, thumbnail: bytes) -> None:
    photo.public.save("public.jpg", ContentFile(public), save=False)
    photo.thumbnail.save("thumb.jpg", ContentFile(thumbnail), save=False)


def _nudge_renderer() -> None:
    from hezhang.jobs.schedule import nudge

    nudge(RENDER_JOB)


def render_pending(limit: int = 100) -> int:
    """Render the public copy and thumbnail of photos that have none yet; returns how many were done.

    A photo whose pixels turn out to be unreadable (its structure looked whole, its data is not) keeps its
    original as evidence and records why on `render_error`; it is not tried again.
    """
    from hezhang.cases.photo_copies import render

    done = 0
    pending = CasePhoto.objects.filter(public="", render_error="").order_by("pk")[:limit]
    for photo in pending:
        try:
            with photo.original.open("rb") as original:
                data = original.read()
            copies = render(data)
        except PhotoError as exc:
            photo.render_error = str(exc)[:200]
            photo.save(update_fields=["render_error"])
            continue
        except OSError as exc:
            log.warning("photo %s of case %s could not be read: %s", photo.pk, photo.case_id, exc)
            photo.render_error = "原图无法读取"
            photo.save(update_fields=["render_error"])
            continue
        _store_copies(photo, copies.public, copies.thumbnail)
        photo.save(update_fields=["public", "thumbnail"])
        done += 1
    return done
