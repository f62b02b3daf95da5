"""Creating a case from any channel: number it, route it, record the report event, keep its photos.

Nothing accepted is lost: the case and its first event are committed in one transaction before the answer,
and a retry carrying the same client id returns the case already made.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone

from hezhang.cases.models import Case, CaseEvent, CasePhoto, CaseState
from hezhang.cases.routing import route


class IntakeError(ValueError):
    """A report that cannot become a case; the message names the field."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def next_number(region) -> str:
    """Region code + date + sequence, short enough to read out on the phone: 130523-261122-0007."""
    prefix = f"{region.code[:6]}-{timezone.localdate():%y%m%d}-"
    last = (
        Case.objects.filter(number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    sequence = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{sequence:04d}"


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
    """Make the case; returns (case, created). `photos` are (bytes, filename) pairs already inspected."""
    if client_id:
        existing = Case.objects.filter(client_id=client_id).first()
        if existing is not None:
            return existing, False
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise IntakeError("location", "位置坐标超出范围")
    routing = route(lon, lat, category)
    if routing is None:
        raise IntakeError("location", "平台尚未设置任何河长办，无法受理")
    for attempt in range(5):
        try:
            with transaction.atomic():
                case = Case.objects.create(
                    number=next_number(routing.region),
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
                for data, filename in photos:
                    attach_photo(case, data, filename, "before", event)
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
    from django.core.files.base import ContentFile

    from hezhang.cases.photos import inspect, public_copy, thumbnail

    info = inspect(data, filename)
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
    photo.original.save(filename, ContentFile(data), save=False)
    photo.public.save("public.jpg", ContentFile(public_copy(data)), save=False)
    photo.thumbnail.save("thumb.jpg", ContentFile(thumbnail(data)), save=False)
    photo.save()
    return photo
