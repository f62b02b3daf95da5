"""Trackers speaking the OsmAnd protocol (Traccar Client and others), for long patrols with the screen off.

A phone's browser pauses GPS when the screen turns off; a tracker app does not. Each user gets a device id (a
random secret, since the protocol has no password); a point from that device goes to the user's open patrol,
or opens one. A tracker patrol that hears nothing for a while is ended and scored by a periodic job.
"""

import datetime
import json
import logging
import secrets
import time

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from hezhang.patrols import recording
from hezhang.patrols.models import Patrol, Source, Tracker
from hezhang.patrols.osmand import read_osmand_json, read_osmand_params
from hezhang.patrols.points import PointError, TrackPoint

log = logging.getLogger(__name__)


def tracker_for(user) -> Tracker:
    tracker = Tracker.objects.filter(user=user).first()
    if tracker is None:
        tracker = Tracker.objects.create(user=user, device_id=secrets.token_hex(8))
    return tracker


def _take(tracker: Tracker, point: TrackPoint) -> None:
    patrol = Patrol.objects.filter(patroller=tracker.user, ended_at=None).order_by("-started_at").first()
    if patrol is None or point.t < recording.not_before(patrol):
        patrol, _created = recording.start_patrol(
            tracker.user,
            started_at=datetime.datetime.fromtimestamp(point.t, tz=datetime.UTC),
            source=Source.TRACKER,
            device_id=tracker.device_id,
        )
    recording.add_points(patrol, [point])


@csrf_exempt
def osmand(request):
    """GET or POST (form or JSON body) from a tracker; 200 once the point is committed."""
    now = time.time()
    try:
        if request.content_type == "application/json":
            try:
                body = json.loads(request.body or b"null")
            except ValueError:
                return HttpResponse("body is not JSON", status=400, content_type="text/plain")
            readings = read_osmand_json(body, now=now)
        else:
            params = request.POST if request.method == "POST" and request.POST else request.GET
            readings = [read_osmand_params(params.dict(), now=now)]
    except PointError as exc:
        log.info("tracker point refused: %s (%s)", exc.message, exc.field)
        return HttpResponse(exc.message, status=400, content_type="text/plain")
    device_ids = {device for device, _point, _extras in readings}
    trackers = {
        t.device_id: t for t in Tracker.objects.filter(device_id__in=device_ids).select_related("user")
    }
    unknown = device_ids - set(trackers)
    if unknown:
        return HttpResponse("unknown device id", status=404, content_type="text/plain")
    for device, point, _extras in sorted(readings, key=lambda r: r[1].t):
        _take(trackers[device], point)
    Tracker.objects.filter(device_id__in=device_ids).update(last_seen=timezone.now())
    return HttpResponse("OK", content_type="text/plain")


def end_idle_tracker_patrols(now: datetime.datetime | None = None) -> int:
    """End tracker patrols that have heard nothing for HEZHANG_TRACKER_IDLE_MINUTES; returns how many."""
    minutes = getattr(settings, "HEZHANG_TRACKER_IDLE_MINUTES", 30)
    cutoff = (now or timezone.now()) - datetime.timedelta(minutes=minutes)
    ended = 0
    # Silence is judged by when the server last heard from the device, not by the points' own times: a
    # tracker that was offline may deliver an hour of old points at once.
    heard = Tracker.objects.filter(last_seen__gte=cutoff).values("device_id")
    for patrol in Patrol.objects.filter(ended_at=None, source=Source.TRACKER).exclude(device_id__in=heard):
        recording.end_patrol(patrol)
        ended += 1
    return ended
