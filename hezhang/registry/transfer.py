"""导入/导出 pages: upload a file for a kind (dry run first), download its templates, export what the list shows."""

import json
import re
import secrets
import time
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _

from hezhang.accounts.jurisdiction import visible
from hezhang.registry.columns import spec_for
from hezhang.registry.exporting import export_geojson, export_xlsx, general_notes, template_csv, template_xlsx
from hezhang.registry.importing import Problem, Result, run_import
from hezhang.registry.readers import MAX_BYTES
from hezhang.registry.views import KindView

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STASH_SECONDS = 24 * 3600
TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("文件"),
        required=False,
        help_text=_("Excel (.xlsx)、CSV、GeoJSON 或 zip 压缩的 Shapefile，不超过 20 MB"),
    )
    dry_run = forms.BooleanField(
        label=_("试运行：只检查并预览，不写入"),
        required=False,
        initial=True,
    )
    stash = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if not data.get("file") and not data.get("stash"):
            self.add_error("file", _("请选择要导入的文件"))
        return data


def _spec_or_404(kind):
    spec = spec_for(kind)
    if spec is None:
        raise Http404
    return spec


class ImportPage(KindView):
    def get(self, request, kind):
        spec = _spec_or_404(kind)
        self.require_edit()
        return self.show(kind, spec, ImportForm())

    def post(self, request, kind):
        spec = _spec_or_404(kind)
        self.require_edit()
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.show(kind, spec, form, status=400)
        dry_run = form.cleaned_data["dry_run"]
        upload, token = form.cleaned_data.get("file"), form.cleaned_data.get("stash")
        if upload is not None:
            name = upload.name
            if upload.size > MAX_BYTES:
                result = Result(kind=kind, filename=name, dry_run=dry_run)
                result.problems.append(
                    Problem(None, None, f"文件超过 {MAX_BYTES // (1024 * 1024)} MB，请拆分后分批导入")
                )
                return self.report(kind, result)
            content = upload.read()
        else:
            stashed = load_stash(request.user, kind, token)
            if stashed is None:
                form.add_error("file", _("试运行的文件已过期，请重新选择文件"))
                return self.show(kind, spec, form, status=400)
            name, content = stashed
        result = run_import(kind, name, content, request.user, dry_run=dry_run)
        if result.ok and dry_run:
            token = stash_upload(request.user, kind, name, content)
        elif result.committed and token:
            drop_stash(request.user, token)
            token = None
        else:
            token = None
        return self.report(kind, result, token)

    def show(self, kind, spec, form, status=200):
        required = set(spec.required_names(spec.form_class(user=self.request.user)))
        context = self.context(
            kind, form=form, columns=spec.exported_columns, required=required, notes=general_notes(spec)
        )
        return render(self.request, "registry/import.html", context, status=status)

    def report(self, kind, result, token=None):
        context = self.context(kind, result=result, stash=token)
        return render(self.request, "registry/import_report.html", context, status=200 if result.ok else 400)


def _attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@login_required
def template_download(request, kind, fmt):
    spec = _spec_or_404(kind)
    label = str(kind.label)
    if fmt == "xlsx":
        required = set(spec.required_names(spec.form_class(user=request.user)))
        return _attachment(template_xlsx(spec, required), XLSX, f"{label}导入模板.xlsx")
    if fmt == "csv":
        return _attachment(template_csv(spec), "text/csv; charset=utf-8", f"{label}导入模板.csv")
    raise Http404


@login_required
def export(request, kind, fmt):
    """Export what the list page shows the user: their jurisdiction, narrowed by the same filters."""
    spec = _spec_or_404(kind)
    if fmt not in ("xlsx", "geojson"):
        raise Http404
    queryset = visible(kind.model.objects.all(), request.user)
    filterset = kind.filterset(request.GET or None, queryset=queryset, request=request)
    rows = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
    stamp = timezone.localdate().strftime("%Y%m%d")
    if fmt == "xlsx":
        return _attachment(export_xlsx(spec, rows), XLSX, f"{kind.label}-{stamp}.xlsx")
    return _attachment(export_geojson(spec, rows), "application/geo+json", f"{kind.label}-{stamp}.geojson")


# A file that passed a dry run waits here until the user confirms it, so they need not choose it again.
# It is kept outside MEDIA_ROOT (which is served) and only its uploader can use it.


def _stash_dir() -> Path:
    return Path(settings.DATA_DIR) / "import-uploads"


def stash_upload(user, kind, name: str, content: bytes) -> str:
    folder = _stash_dir()
    folder.mkdir(parents=True, exist_ok=True)
    cutoff = time.time() - STASH_SECONDS
    for old in folder.iterdir():
        try:
            if old.stat().st_mtime < cutoff:
                old.unlink()
        except OSError:
            pass
    token = secrets.token_urlsafe(24)
    (folder / f"{user.pk}-{token}.bin").write_bytes(content)
    (folder / f"{user.pk}-{token}.json").write_text(json.dumps({"name": name, "kind": kind.slug}))
    return token


def load_stash(user, kind, token: str):
    if not token or not TOKEN.match(token):
        return None
    folder = _stash_dir()
    try:
        meta = json.loads((folder / f"{user.pk}-{token}.json").read_text())
        content = (folder / f"{user.pk}-{token}.bin").read_bytes()
    except (OSError, ValueError):
        return None
    if meta.get("kind") != kind.slug:
        return None
    return meta.get("name", "upload"), content


def drop_stash(user, token: str) -> None:
    if TOKEN.match(token or ""):
        for suffix in (".bin", ".json"):
            (_stash_dir() / f"{user.pk}-{token}{suffix}").unlink(missing_ok=True)
