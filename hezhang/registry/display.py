"""How registry records are shown in tables and on detail pages."""

from django.db import models
from django.utils.html import format_html
from django.utils.translation import gettext as _

from hezhang.accounts.jurisdiction import visible

HIDDEN = {
    "id",
    "password",
    "geometry",
    "min_lon",
    "min_lat",
    "max_lon",
    "max_lat",
    "pinyin",
    "path",
    "last_login",
}
HIDDEN |= {"is_superuser", "is_staff", "first_name", "last_name", "email", "groups", "user_permissions"}


def _link(obj):
    from hezhang.registry.kinds import kind_of_model

    kind = kind_of_model(type(obj))
    if kind is None:
        return str(obj)
    from django.urls import reverse

    url = reverse("registry:detail", kwargs={"kind": kind.slug, "pk": obj.pk})
    return format_html('<a href="{}">{}</a>', url, obj)


def value_of(obj, field):
    if field.choices:
        shown = getattr(obj, f"get_{field.name}_display")()
        return shown if getattr(obj, field.attname) not in (None, "") else ""
    value = getattr(obj, field.name)
    if value is None:
        return ""
    if isinstance(field, models.ForeignKey | models.OneToOneField):
        return _link(value)
    if isinstance(field, models.BooleanField):
        return _("是") if value else _("否")
    if isinstance(field, models.FloatField):
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    if isinstance(field, models.JSONField):
        return "、".join(map(str, value)) if isinstance(value, list) else str(value)
    if isinstance(field, models.FileField):
        return format_html('<a href="{}">{}</a>', value.url, value.name) if value else ""
    return value


def row_cells(obj, kind) -> list:
    return [value_of(obj, obj._meta.get_field(name)) for name in kind.columns]


def detail_rows(obj) -> list[tuple[str, object]]:
    rows = []
    for field in obj._meta.get_fields():
        if field.name in HIDDEN or field.auto_created or not getattr(field, "concrete", False):
            continue
        if isinstance(field, models.ManyToManyField):
            rows.append((field.verbose_name, format_html_join_links(getattr(obj, field.name).all())))
            continue
        rows.append((field.verbose_name, value_of(obj, field)))
    return rows


def format_html_join_links(objects) -> str:
    from django.utils.safestring import mark_safe

    return mark_safe("、".join(str(_link(o)) for o in objects))


def related_lists(obj, kind, user) -> list[tuple[object, str, list]]:
    """Records that point at this one (reaches of a river, chiefs of a reach…), within the user's jurisdiction."""
    from hezhang.registry.kinds import KINDS

    out = []
    for accessor, slug in kind.detail_related:
        related_kind = KINDS[slug]
        manager = getattr(obj, accessor)
        qs = visible(manager.all(), user)
        if related_kind.select_related:
            qs = qs.select_related(*related_kind.select_related)
        items = list(qs[:100])
        out.append((related_kind, accessor, [(o, row_cells(o, related_kind)) for o in items]))
    return out
