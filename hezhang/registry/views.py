"""资料管理: list, detail, create, edit, delete and history pages for every kind of registry record."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import ProtectedError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from hezhang.accounts.jurisdiction import can_edit, visible
from hezhang.history.recording import history_of
from hezhang.registry.display import detail_rows, related_lists, row_cells
from hezhang.registry.forms import DossierAttachmentForm
from hezhang.registry.kinds import GROUPS, KINDS


class KindView(LoginRequiredMixin, View):
    """A page about one kind of record, always narrowed to the user's jurisdiction."""

    def queryset(self, kind):
        qs = kind.model.objects.all()
        if kind.select_related:
            qs = qs.select_related(*kind.select_related)
        return visible(qs, self.request.user)

    def get_object(self, kind, pk):
        return get_object_or_404(self.queryset(kind), pk=pk)

    def require_edit(self, obj=None):
        if not can_edit(self.request.user, obj):
            raise PermissionDenied(_("您没有修改河湖名录的权限"))

    def context(self, kind, **extra):
        return {
            "kind": kind,
            "kinds": KINDS,
            "groups": GROUPS,
            "can_edit": can_edit(self.request.user),
            **extra,
        }


class ListPage(KindView):
    def get(self, request, kind):
        filterset = kind.filterset(request.GET or None, queryset=self.queryset(kind), request=request)
        rows = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
        page = Paginator(rows, 30).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        headers = [kind.model._meta.get_field(c).verbose_name for c in kind.columns]
        return render(
            request,
            "registry/list.html",
            self.context(
                kind,
                filterset=filterset,
                page=page,
                rows=[(obj, row_cells(obj, kind)) for obj in page],
                headers=headers,
                query=query.urlencode(),
            ),
        )


class DetailPage(KindView):
    def get(self, request, kind, pk):
        obj = self.get_object(kind, pk)
        return render(
            request,
            "registry/detail.html",
            self.context(
                kind,
                obj=obj,
                rows=detail_rows(obj),
                related=related_lists(obj, kind, request.user),
                can_edit_obj=can_edit(request.user, obj),
            ),
        )


class EditPage(KindView):
    """Create (no pk) or edit (pk) a record."""

    def form_for(self, kind, request, obj):
        initial = {}
        if obj is None:
            initial = {k: v for k, v in request.GET.items() if k in kind.form._meta.fields}
        return kind.form(
            request.POST or None,
            instance=obj,
            initial=initial,
            user=request.user,
        )

    def get(self, request, kind, pk=None):
        obj = self.get_object(kind, pk) if pk else None
        self.require_edit(obj)
        return self.show(kind, self.form_for(kind, request, obj), obj)

    def post(self, request, kind, pk=None):
        obj = self.get_object(kind, pk) if pk else None
        self.require_edit(obj)
        form = self.form_for(kind, request, obj)
        if not form.is_valid():
            return self.show(kind, form, obj, status=400)
        with transaction.atomic():
            saved = form.save()
            if not can_edit(request.user, saved):
                # The new values would move the record out of the editor's own jurisdiction.
                transaction.set_rollback(True)
                form.add_error(None, _("保存后该记录将不在您的管辖范围内"))
                return self.show(kind, form, obj, status=400)
        messages.success(request, _("已保存：%(obj)s") % {"obj": saved})
        return redirect("registry:detail", kind=kind.slug, pk=saved.pk)

    def show(self, kind, form, obj, status=200):
        return render(
            self.request,
            "registry/edit.html",
            self.context(kind, form=form, obj=obj),
            status=status,
        )


class DeletePage(KindView):
    def get(self, request, kind, pk):
        obj = self.get_object(kind, pk)
        self.require_edit(obj)
        return render(request, "registry/delete.html", self.context(kind, obj=obj))

    def post(self, request, kind, pk):
        obj = self.get_object(kind, pk)
        self.require_edit(obj)
        name = str(obj)
        try:
            with transaction.atomic():
                obj.delete()
        except ProtectedError as exc:
            blockers = sorted({str(o._meta.verbose_name) for o in exc.protected_objects})
            messages.error(
                request,
                _("无法删除“%(name)s”：仍有关联的%(what)s。请先删除或改挂这些记录。")
                % {"name": name, "what": "、".join(blockers)},
            )
            return redirect("registry:detail", kind=kind.slug, pk=pk)
        messages.success(request, _("已删除：%(name)s") % {"name": name})
        return redirect("registry:list", kind=kind.slug)


class DossierAttachmentUpload(KindView):
    """一河一档 attachments: survey reports, photos, drawings filed with a water body's dossier."""

    def post(self, request, pk):
        kind = KINDS["dossiers"]
        dossier = self.get_object(kind, pk)
        self.require_edit(dossier)
        form = DossierAttachmentForm(request.POST, request.FILES)
        if form.is_valid():
            attachment = form.save(commit=False)
            attachment.dossier = dossier
            attachment.save()
            messages.success(request, _("已上传附件：%(title)s") % {"title": attachment.title})
        else:
            errors = "; ".join(f"{e}" for errs in form.errors.values() for e in errs)
            messages.error(request, _("附件未上传：%(errors)s") % {"errors": errors})
        return redirect("registry:detail", kind=kind.slug, pk=dossier.pk)


class HistoryPage(KindView):
    def get(self, request, kind, pk):
        obj = self.get_object(kind, pk)
        changes = history_of(obj)
        labels = {f.name: f.verbose_name for f in kind.model._meta.get_fields() if hasattr(f, "verbose_name")}
        entries = [
            (change, [(labels.get(name, name), old, new) for name, (old, new) in change.changes.items()])
            for change in changes
        ]
        return render(request, "registry/history.html", self.context(kind, obj=obj, entries=entries))


class IndexPage(LoginRequiredMixin, View):
    def get(self, request):
        counts = [(kind, visible(kind.model.objects.all(), request.user).count()) for kind in KINDS.values()]
        return render(request, "registry/index.html", {"counts": counts, "groups": GROUPS, "kinds": KINDS})


def object_url(obj) -> str:
    from hezhang.registry.kinds import kind_of_model

    kind = kind_of_model(type(obj))
    if kind is None:
        raise Http404
    return reverse("registry:detail", kwargs={"kind": kind.slug, "pk": obj.pk})
