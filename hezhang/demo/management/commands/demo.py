"""`hezhang demo`: migrate, build the demo county, its cases and patrols once, print the demo accounts, serve on
127.0.0.1:8000.

The county comes from the registry's builder, the cases from the cases app's and the patrols from the patrols
app's; this command only runs them in order, because the registry must not know that cases or patrols exist. At
province scale the patrols are a year of scored history without tracks (`build_province_patrols`, `--patrols N`),
written in minutes for benchmarks instead of walking and scoring every track.
"""

import os
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from hezhang.cases.demo import build_cases
from hezhang.monitoring.demo import DEMO_PASSWORD as STATION_PASSWORD
from hezhang.monitoring.demo import build_monitoring
from hezhang.patrols import standings
from hezhang.patrols.demo import build_patrols
from hezhang.patrols.demo.province import build_province_patrols
from hezhang.registry.demo import DEMO_PASSWORD, LOGIN_URL, build_county, build_province
from hezhang.registry.demo.accounts import DemoConflict


class Command(BaseCommand):
    help = (
        "演示：迁移数据库，首次运行时生成演示数据（清漳县及其案件，或 --scale province 全省规模），列出演示账号并启动服务。"
        " / Demo: migrate, build the demo data and cases on first run, list the demo accounts and serve on"
        " 127.0.0.1:8000."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            choices=["county", "province"],
            default="county",
            help="county: one county with full geometry (default); province: ~170 counties for benchmarks",
        )
        parser.add_argument(
            "--no-serve", action="store_true", help="build and print, do not start the server"
        )
        parser.add_argument(
            "--reset", action="store_true", help="flush the whole database first, then rebuild"
        )
        parser.add_argument(
            "--seed", type=int, default=7, help="random seed of the generated data (default 7)"
        )
        parser.add_argument(
            "--patrols",
            type=int,
            default=6_500_000,
            metavar="N",
            help="province only: about how many patrols of history (a year, scored, without tracks) to add"
            " (default 6500000, a Hebei year; 0 adds none)",
        )

    def handle(self, *args, scale, no_serve, reset, seed, patrols, **options):
        from hezhang.jobs.worker import start_in_process_worker, stop_worker

        # Started by JobsConfig.ready() if the variable was already set: the case build runs with a stopped clock
        # (see hezhang.cases.demo.clock) that a deadline check running meanwhile would see too, so it waits.
        stop_worker()
        say = self.stdout.write
        started = time.perf_counter()
        call_command("migrate", interactive=False, verbosity=0)
        say(f"数据库已迁移 Database migrated ({time.perf_counter() - started:.1f} s)")
        if reset:
            call_command("flush", interactive=False, verbosity=0)
            say("数据库已清空 Database flushed")
        say(f"演示数据 Demo data (scale={scale}, seed={seed}) …")
        built = time.perf_counter()
        build = build_province if scale == "province" else build_county
        try:
            result = build(seed=seed, log=say)
        except DemoConflict as exc:
            raise CommandError(str(exc)) from None
        if result["built"]:
            say(f"  合计 total: {time.perf_counter() - built:.1f} s")
        else:
            say(
                "  已有演示数据，未重复生成（--reset 可重建） Demo data already present, nothing built (--reset rebuilds)"
            )
        cases = build_cases(seed=seed, log=say)
        # The demo county's patrols are walked and scored (tracks to look at); at province scale a year of scored
        # history without tracks is added for every county besides.
        history = build_patrols(seed=seed, log=say)
        if scale == "province":
            history = build_province_patrols(seed=seed, log=say, total=patrols)
        build_monitoring(seed=seed, log=say)
        # The builders write around the signals that keep each patroller's standing: judged once, in bulk, here.
        judged = time.perf_counter()
        rows = standings.rebuild()
        say(f"  巡河达标 patrol standings: {rows:,} ({time.perf_counter() - judged:.1f} s)")
        self.report(result, cases, history)
        if not no_serve:
            # Notifications are delivered and deadlines checked by the job runner; in the demo it runs inside the
            # server process. Apps are ready already (runserver without its reloader does not set them up again),
            # so the variable alone would start nothing here: it is for any process started from this one.
            os.environ["HEZHANG_INPROCESS_WORKER"] = "1"
            start_in_process_worker()
            call_command("runserver", "127.0.0.1:8000", use_reloader=False)

    def report(self, result: dict, cases: dict, patrols: dict) -> None:
        from hezhang.registry.demo.summary import LABELS

        say = self.stdout.write
        counts = result["counts"]
        say("")
        say("数据量 Counts:")
        items = [f"{zh} {en}: {counts[key]}" for key, zh, en in LABELS if key in counts]
        for k in range(0, len(items), 4):
            say("  " + "；".join(items[k : k + 4]))
        if cases["total"]:
            states = "；".join(f"{label} {code}: {n}" for code, label, n in cases["states"])
            say(f"  案件 cases: {cases['total']}（{states}）")
        if patrols["total"]:
            say(
                f"  巡河 patrols: {patrols['total']}（有效 valid: {patrols['valid']}；无效 invalid: {patrols['invalid']}；"
                f"进行中 open: {patrols['open']}）"
            )
        say("")
        say(f"演示账号 Demo accounts（统一密码 password: {DEMO_PASSWORD}）")
        width = max((len(a["username"]) for a in result["accounts"]), default=10)
        for a in result["accounts"]:
            say(
                f"  {a['username']:<{width}}  {a['role']} / {a['role_en']}"
                f"\n  {'':<{width}}  {a['name']}，{a['position']}；所属行政区 region: {a['region']}"
            )
        say("")
        say(f"登录地址 Login: {LOGIN_URL}")
        from hezhang.monitoring.models import Station

        station = Station.objects.exclude(mn=None).order_by("code").first()
        if station is not None:
            say(
                "水质自动站 HJ 212: hezhang hj212 listen --port 9212；"
                f"hezhang hj212 simulate --port 9212 --mn {station.mn} --pw {STATION_PASSWORD} --exceed NH3N"
            )
