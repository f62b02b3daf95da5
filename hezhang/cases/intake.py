"""Creating a case from any channel: number it, route it, record the report event, keep its photos.

Nothing accepted is lost: the case and its first event are committed in one transaction before the answer,
and a retry carrying the same client id returns the case already made.
"""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from hezhang.cases.models import Case, CaseEvent, CaseNumber, CasePhoto, CaseState
from hezhang.cases.photos import PhotoInfo
from hezhang.cases.routing import route


class IntakeError(ValueError):
    """A report that cannot become a case; the message names the field."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def next_number(region) -> str:
    """Region code + date + sequence, short enough to read out on the phone: 130523-261122-0007.

    The counter row is bumped in its own short transaction (when not already inside one), so concurrent
    reports queue on one tiny UPDATE instead of colliding on the unique number; a failed report leaves a gap.
    """
    prefix = f"{region.code[:6]}-{timezone.localdate():%y%m%d}-"
    for _attempt in range(5):
        try:
            with transaction.atomic():
                CaseNumber.objects.get_or_create(prefix=prefix)
                CaseNumber.objects.filter(prefix=prefix).update(last=F("last") + 1)
                last = CaseNumber.objects.values_list("last", flat=True).get(prefix=prefix)
            return f"{prefix}{last:04d}"
        except IntegrityError:  # two first reports of the day created the counter at once
            continue
    raise IntegrityError(f"could not allocate a case number for {prefix}")


@dataclass
class PreparedPhoto:
    """A photo checked and rendered before any transaction opens: decoding is the slow part of a report."""

    data: bytes
    filename: str
    info: PhotoInfo
    public: bytes
    thumbnail: bytes


def prepare_photo(data: bytes, filename: str, info: PhotoInfo | None = None) -> PreparedPhoto:
    from hezhang.cases.photos import inspect, public_copy, thumbnail

    info = info or inspect(data, filename)
    return PreparedPhoto(data, filename, info, public_copy(data), thumbnail(data))


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
) -> tuple[Case, bool]:
    """Make the case; returns (case, created). `photos` are PreparedPhoto or (bytes, filename) pairs."""
    if client_id:
        existing = Case.objects.filter(client_id=client_id).first()
        if existing is not None:
            return existing, False
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
                    state=CaseState.objects.get(pk="reported"),
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
                case.chiefs.set(routing.chiefs)
                event = CaseEvent.objects.create(
                    case=case,
                    action="report",
                    to_state=case.state,
                    actor=case.reporter,
                    note=description,
                    data={"channel": channel, "routing": routing.note},
                )
                for photo in prepared:
                    save_photo(case, photo, "before", event)
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
    return save_photo(case, prepare_photo(data, filename), stage, event)


def save_photo(case: Case, prepared: PreparedPhoto, stage: str, event=None) -> CasePhoto:
    from django.core.files.base import ContentFile

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
    photo.public.save("public.jpg", ContentFile(prepared.public), save=False)
    photo.thumbnail.save("thumb.jpg", ContentFile(prepared.thumbnail), save=False)
    photo.save()
    return photo
