"""Who is responsible: river chief offices, functional departments, chiefs' assignments and delegates' links."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hezhang.accounts.models import Role
from hezhang.registry.models.regions import Region
from hezhang.registry.models.water import Reach, WaterBody
from hezhang.registry.pinyin import initials


class Office(models.Model):
    """The river chief office (河长办) of a region: it dispatches cases and keeps the registry."""

    scope_path = "region__path"

    region = models.OneToOneField(
        Region,
        verbose_name=_("行政区"),
        on_delete=models.PROTECT,
        related_name="office",
    )
    name = models.CharField(
        verbose_name=_("名称"),
        max_length=100,
    )
    phone = models.CharField(
        verbose_name=_("监督电话"),
        max_length=30,
        blank=True,
        help_text=_("公开显示在公示牌和河段公开页面上"),
    )
    address = models.CharField(
        verbose_name=_("地址"),
        max_length=200,
        blank=True,
    )
    pinyin = models.CharField(max_length=100, blank=True, db_index=True, editable=False)

    class Meta:
        verbose_name = _("河长办")
        verbose_name_plural = pgettext_lazy("plural", "河长办")
        ordering = ["region__code"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.pinyin = initials(self.name)
        super().save(*args, **kwargs)


class DepartmentKind(models.TextChoices):
    WATER = "water", _("水利(水务)")
    ECOLOGY = "ecology", _("生态环境")
    URBAN = "urban", _("城市管理")
    HOUSING = "housing", _("住房和城乡建设")
    AGRICULTURE = "agriculture", _("农业农村")
    NATURAL_RESOURCES = "natural_resources", _("自然资源")
    POLICE = "police", _("公安")
    TRANSPORT = "transport", _("交通运输")
    FORESTRY = "forestry", _("林业")
    OTHER = "other", _("其他")


class Department(models.Model):
    """A functional department (职能部门) of a region, and the case categories it handles."""

    scope_path = "region__path"

    region = models.ForeignKey(
        Region,
        verbose_name=_("行政区"),
        on_delete=models.PROTECT,
        related_name="departments",
    )
    name = models.CharField(
        verbose_name=_("名称"),
        max_length=100,
    )
    kind = models.CharField(
        verbose_name=_("类别"),
        max_length=30,
        choices=DepartmentKind.choices,
        default=DepartmentKind.OTHER,
    )
    phone = models.CharField(
        verbose_name=_("联系电话"),
        max_length=30,
        blank=True,
    )
    category_codes = models.JSONField(
        verbose_name=_("负责的问题类别"),
        default=list,
        blank=True,
        help_text=_("问题类别代码列表，例如 pollution, garbage, sand_mining"),
    )
    pinyin = models.CharField(max_length=100, blank=True, db_index=True, editable=False)

    class Meta:
        verbose_name = _("职能部门")
        verbose_name_plural = pgettext_lazy("plural", "职能部门")
        ordering = ["region__code", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "name"],
                name="department_unique_name_in_region",
                violation_error_message=_("该行政区已有同名部门"),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.pinyin = initials(self.name)
        super().save(*args, **kwargs)


class TermQuerySet(models.QuerySet):
    """Rows that hold from a start date until an (open) end date: chiefs' assignments, delegates' links."""

    def current(self, on: datetime.date | None = None):
        day = on or timezone.localdate()
        return self.filter(Q(start_date__lte=day), Q(end_date__isnull=True) | Q(end_date__gte=day))

    def past(self, on: datetime.date | None = None):
        day = on or timezone.localdate()
        return self.filter(end_date__lt=day)


class Term:
    """Held from `start_date` until `end_date` (None: still held), for a `water_body` or one `reach` of it: what
    chiefs' assignments and delegates' links share."""

    end_before_start: str = ""

    @property
    def is_current(self) -> bool:
        today = timezone.localdate()
        return self.start_date <= today and (self.end_date is None or self.end_date >= today)

    def term_errors(self) -> dict:
        errors = {}
        if self.end_date and self.start_date and self.end_date < self.start_date:
            errors["end_date"] = self.end_before_start
        if self.reach_id and self.water_body_id and self.reach.water_body_id != self.water_body_id:
            errors["reach"] = _("河段不属于所选水体")
        return errors


def covered(
    related_name: str, reach_help: str
) -> tuple[models.ForeignKey, models.ForeignKey, models.ForeignKey]:
    """The fields of what a term covers: a water body, one reach of it (blank: all its reaches in the region) and
    the region, each with `related_name` back to the terms."""
    return (
        models.ForeignKey(
            WaterBody, verbose_name=_("水体"), on_delete=models.PROTECT, related_name=related_name
        ),
        models.ForeignKey(
            Reach,
            verbose_name=_("河段"),
            on_delete=models.PROTECT,
            null=True,
            blank=True,
            related_name=related_name,
            help_text=reach_help,
        ),
        models.ForeignKey(
            Region, verbose_name=_("行政区"), on_delete=models.PROTECT, related_name=related_name
        ),
    )


def term_note() -> models.CharField:
    """A term's free-text note."""
    return models.CharField(verbose_name=_("备注"), max_length=200, blank=True)


class ChiefAssignment(Term, models.Model):
    """A chief's responsibility for a water body (or one reach of it) at a level, from a date, until a date.

    Past assignments are kept: the end date closes them, nothing is deleted when chiefs change.
    """

    scope_path = "region__path"

    chief = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("河湖长"),
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    water_body, reach, region = covered("assignments", _("留空表示负责该水体在本行政区内的全部河段"))
    level = models.PositiveSmallIntegerField(
        verbose_name=_("河长级别"),
        choices=[(1, _("省级")), (2, _("市级")), (3, _("县级")), (4, _("乡级")), (5, _("村级"))],
    )
    start_date = models.DateField(
        verbose_name=_("任职日期"),
        default=datetime.date.today,
    )
    end_date = models.DateField(
        verbose_name=_("离任日期"),
        null=True,
        blank=True,
    )
    note = term_note()

    objects = TermQuerySet.as_manager()

    class Meta:
        verbose_name = _("河长任命")
        verbose_name_plural = pgettext_lazy("plural", "河长任命")
        ordering = ["level", "-start_date"]
        indexes = [models.Index(fields=["chief", "end_date"], name="assignment_chief_end")]

    def __str__(self) -> str:
        target = self.reach or self.water_body
        return f"{self.chief} · {target} ({self.get_level_display()})"

    end_before_start = _("离任日期不能早于任职日期")

    def clean(self) -> None:
        errors = self.term_errors()
        if errors:
            raise ValidationError(errors)


class DelegateLink(Term, models.Model):
    """代表联系河湖: a delegate (人大代表/政协委员) linked to a water body (or one reach of it) to supervise it.

    The delegate visits it (视察/巡河) as their patrol rule asks, watches how its chiefs do their duty and reports
    what they find. Past links are kept, like chiefs' assignments: the end date closes them.
    """

    scope_path = "region__path"

    delegate = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("代表委员"),
        on_delete=models.PROTECT,
        related_name="delegate_links",
    )
    water_body, reach, region = covered("delegate_links", _("留空表示联系该水体在本行政区内的全部河段"))
    start_date = models.DateField(
        verbose_name=_("联系开始日期"),
        default=datetime.date.today,
    )
    end_date = models.DateField(
        verbose_name=_("联系结束日期"),
        null=True,
        blank=True,
    )
    note = term_note()

    objects = TermQuerySet.as_manager()

    class Meta:
        verbose_name = _("代表联系河湖")
        verbose_name_plural = pgettext_lazy("plural", "代表联系河湖")
        ordering = ["region__code", "-start_date"]
        indexes = [models.Index(fields=["delegate", "end_date"], name="delegate_link_delegate_end")]

    def __str__(self) -> str:
        target = self.reach or self.water_body
        return f"{self.delegate} · {target}"

    end_before_start = _("结束日期不能早于开始日期")

    def clean(self) -> None:
        errors = self.term_errors()
        if self.delegate_id and self.delegate.role != Role.DELEGATE:
            errors["delegate"] = _("只能选择人大代表或政协委员")
        if errors:
            raise ValidationError(errors)
