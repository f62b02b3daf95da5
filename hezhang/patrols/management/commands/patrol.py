"""`hezhang patrol score …` settles a disputed patrol from files; `hezhang patrol rescore …` applies changed rules;
`hezhang patrol aggregate` rebuilds the patrol summaries that statistics and patrol rates read.

hezhang patrol score --reach REACH.geojson --track TRACK.gpx [--buffer 50]
hezhang patrol rescore [--region CODE] [--since 2026-01-01] [--until 2026-12-31]
hezhang patrol aggregate [--region CODE]
"""

import datetime
import json
import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from hezhang.patrols import standings
from hezhang.patrols.dispute import settle
from hezhang.patrols.gpx import GpxError, read_gpx
from hezhang.patrols.models import Patrol
from hezhang.patrols.recording import score_patrol
from hezhang.patrols.summary import rebuild
from hezhang.registry.models import Region


class Command(BaseCommand):
    help = (
        "Score a patrol from a reach and a GPX track, re-score stored patrols after a rule change, or rebuild the "
        "patrol summaries."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        score = sub.add_parser("score", help="print the verdict on one track against one reach, as JSON")
        score.add_argument(
            "--reach", required=True, help="the reach as GeoJSON (geometry, Feature or collection)"
        )
        score.add_argument("--track", required=True, help="the patrol as a GPX file")
        score.add_argument("--buffer", type=float, default=50.0, help="metres from the reach that count (50)")
        rescore = sub.add_parser("rescore", help="score ended patrols again under the current rules")
        rescore.add_argument("--region", help="statistical code of a region (its whole subtree)")
        rescore.add_argument(
            "--since", type=datetime.date.fromisoformat, help="first day (started on or after)"
        )
        rescore.add_argument(
            "--until", type=datetime.date.fromisoformat, help="last day (started on or before)"
        )
        aggregate = sub.add_parser(
            "aggregate",
            help="recompute the patrol summaries (per region and day, reach and day, patroller and year) from the "
            "patrols; they are kept as patrols change, so this is for after region codes changed or patrols were "
            "written around the application",
        )
        aggregate.add_argument("--region", help="statistical code of a region: only its subtree")

    def handle(self, *args, action, **options):
        if action == "score":
            return self.score(options["reach"], options["track"], options["buffer"])
        if action == "aggregate":
            return self.aggregate(options.get("region"))
        return self.rescore(options.get("region"), options.get("since"), options.get("until"))

    def score(self, reach_path: str, track_path: str, buffer_m: float) -> None:
        try:
            reach = json.loads(Path(reach_path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CommandError(f"cannot read the reach {reach_path}: {exc}") from None
        try:
            points = read_gpx(Path(track_path).read_bytes())
        except OSError as exc:
            raise CommandError(f"cannot read the track {track_path}: {exc}") from None
        except GpxError as exc:
            raise CommandError(f"{track_path}: {exc}") from None
        try:
            verdict = settle(reach, points, buffer_m)
        except ValueError as exc:
            raise CommandError(f"{reach_path}: {exc}") from None
        self.stdout.write(json.dumps(verdict, ensure_ascii=False, indent=2))

    def rescore(self, region: str | None, since, until) -> None:
        patrols = Patrol.objects.exclude(ended_at=None).order_by("pk")
        if region:
            patrols = patrols.filter(region__code__startswith=region.rstrip("0") or region)
        if since:
            patrols = patrols.filter(started_at__date__gte=since)
        if until:
            patrols = patrols.filter(started_at__date__lte=until)
        total = patrols.count()
        changed = 0
        for done, patrol in enumerate(patrols.iterator(chunk_size=500), start=1):
            before = patrol.is_valid
            changed += score_patrol(patrol).is_valid != before
            if done % 100 == 0 or done == total:
                self._progress(done, total)
        self.stdout.write(f"\n{total} patrols re-scored, {changed} changed verdict")

    def aggregate(self, code: str | None) -> None:
        region = None
        if code:
            region = Region.objects.filter(code=code.ljust(12, "0")).first()
            if region is None:
                raise CommandError(f"no region with the code {code}")
        started = time.perf_counter()
        rows = rebuild(region)
        where = region.name if region else "everywhere"
        self.stdout.write(
            f"patrol summaries rebuilt ({where}) in {time.perf_counter() - started:.1f} s: "
            f"{rows['region_days']} region days, {rows['reach_days']} reach days, "
            f"{rows['patroller_years']} patroller years"
        )
        started = time.perf_counter()
        judged = standings.rebuild()
        self.stdout.write(
            f"patrol standings (this week, month, quarter and year) judged again in "
            f"{time.perf_counter() - started:.1f} s: {judged} rows"
        )

    def _progress(self, done: int, total: int) -> None:
        width = 30
        filled = width * done // max(total, 1)
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        sys.stderr.flush()
