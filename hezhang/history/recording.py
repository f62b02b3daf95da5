"""Signal handlers that write a Change row for every save and delete of a tracked model."""

import datetime
import decimal

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from hezhang.history.context import current_actor, current_source, recording_enabled

IGNORED = {
    "password",
    "last_login",
    "pinyin",
    "path",
    "min_lon",
    "min_lat",
    "max_lon",
    "max_lat",
    "updated_at",
    "length_m",
    "area_m2",
}


def _plain(value):
    if isinstance(value, datetime.date | datetime.datetime | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if hasattr(value, "name") and hasattr(value, "url"):  # FieldFile
        return value.name or ""
    return value


def snapshot(instance: models.Model) -> dict:
    data = {}
    for field in instance._meta.concrete_fields:
        if field.name in IGNORED or field.primary_key:
            continue
        data[field.name] = _plain(getattr(instance, field.attname))
    return data


def _record(instance, action: str, changes: dict) -> None:
    from hezhang.history.models import Change

    actor = current_actor()
    Change.objects.create(
        content_type=ContentType.objects.get_for_model(type(instance)),
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        action=action,
        changes=changes,
        actor_id=getattr(actor, "pk", None),
        source=current_source(),
    )


def _before_save(sender, instance, raw=False, **kwargs):
    if raw or not recording_enabled():
        return
    instance._history_before = None
    if instance.pk is not None:
        old = sender._base_manager.filter(pk=instance.pk).first()
        if old is not None:
            instance._history_before = snapshot(old)


def _after_save(sender, instance, created, raw=False, **kwargs):
    if raw or not recording_enabled():
        return
    after = snapshot(instance)
    before = getattr(instance, "_history_before", None)
    if created or before is None:
        changes = {k: [None, v] for k, v in after.items() if v not in (None, "", [], {})}
        _record(instance, "create", changes)
        return
    changes = {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
    if changes:
        _record(instance, "update", changes)


def _after_delete(sender, instance, **kwargs):
    if not recording_enabled():
        return
    _record(instance, "delete", {k: [v, None] for k, v in snapshot(instance).items() if v not in (None, "")})


def _m2m_changed(sender, instance, action, pk_set, model, **kwargs):
    if not recording_enabled() or action not in ("post_add", "post_remove") or not pk_set:
        return
    field = next(
        (f.name for f in type(instance)._meta.many_to_many if f.remote_field.through is sender),
        "m2m",
    )
    ids = sorted(pk_set)
    change = [None, ids] if action == "post_add" else [ids, None]
    _record(instance, "update", {field: change})


def track(*model_classes) -> None:
    for model in model_classes:
        uid = f"history-{model._meta.label}"
        pre_save.connect(_before_save, sender=model, dispatch_uid=uid + "-pre")
        post_save.connect(_after_save, sender=model, dispatch_uid=uid + "-post")
        post_delete.connect(_after_delete, sender=model, dispatch_uid=uid + "-del")
        for m2m in model._meta.many_to_many:
            m2m_changed.connect(_m2m_changed, sender=m2m.remote_field.through, dispatch_uid=uid + m2m.name)


def history_of(instance):
    from hezhang.history.models import Change

    return Change.objects.filter(
        content_type=ContentType.objects.get_for_model(type(instance)), object_id=str(instance.pk)
    ).select_related("actor")
