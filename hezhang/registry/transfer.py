"""Import and export pages (being written)."""

from django.http import HttpResponse


def _pending(*args, **kwargs):
    return HttpResponse("import/export is being written", status=501)


ImportPage = type("ImportPage", (), {"as_view": staticmethod(lambda: _pending)})
template_download = export = _pending
