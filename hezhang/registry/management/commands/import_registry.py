"""`hezhang import KIND FILE [--dry-run] [--user USERNAME]`: the import page's all-or-nothing import, from a shell."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from hezhang.accounts.jurisdiction import can_edit
from hezhang.registry.columns import importable_kinds
from hezhang.registry.importing import run_import
from hezhang.registry.kinds import KINDS
from hezhang.registry.readers import MAX_BYTES


class Command(BaseCommand):
    help = (
        "导入河湖名录：xlsx、CSV（UTF-8/GBK）、GeoJSON 或 zip 压缩的 Shapefile。"
        "任何一行有错误时不写入任何数据，并列出每个错误的行号和原因（退出码 1）。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "kind", choices=[k.slug for k in importable_kinds()], help="记录类别，例如 reaches"
        )
        parser.add_argument("file", help="要导入的文件")
        parser.add_argument("--dry-run", action="store_true", help="只检查并报告，不写入")
        parser.add_argument(
            "--user",
            help="以该用户的身份和管辖范围导入（变更记录记在其名下）；不填则不限范围",
        )

    def handle(self, *args, kind, file, dry_run=False, user=None, **options):
        kind = KINDS[kind]
        actor = None
        if user:
            actor = get_user_model().objects.filter(username=user).first()
            if actor is None:
                raise CommandError(f"没有用户名为“{user}”的用户")
            if not can_edit(actor):
                raise CommandError(f"用户“{user}”没有修改河湖名录的权限")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"找不到文件：{file}")
        if path.stat().st_size > MAX_BYTES:
            raise CommandError(f"文件超过 {MAX_BYTES // (1024 * 1024)} MB，请拆分后分批导入")
        result = run_import(kind, path.name, path.read_bytes(), actor, dry_run=dry_run)
        for problem in result.problems:
            self.stderr.write(str(problem))
        for note in result.notes:
            self.stdout.write(note)
        if not result.ok:
            raise CommandError(result.summary, returncode=1)
        self.stdout.write(self.style.SUCCESS(result.summary))
