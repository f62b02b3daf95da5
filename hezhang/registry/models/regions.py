"""Administrative regions and the grid cells below villages."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hezhang.registry.models.base import GeoModel, bbox_indexes
from hezhang.registry.pinyin import initials


class Level(models.IntegerChoices):
    PROVINCE = 1, _("省")
    CITY = 2, _("市")
    COUNTY = 3, _("县")
    TOWNSHIP = 4, _("乡镇")
    VILLAGE = 5, _("村")


# The 12-digit statistical code is 2+2+2+3+3 digits; a region's significant prefix identifies its subtree.
PREFIX_LENGTH = {1: 2, 2: 4, 3: 6, 4: 9, 5: 12}


def code_prefix(code: str, level: int) -> str:
    return code[: PREFIX_LENGTH[level]]


class Region(GeoModel):
    """An administrative region (行政区划): province, city, county, township or village.

    `path` is the significant prefix of the statistical code, so a subtree is `path__startswith`.
    """

    geometry_types = ("Polygon", "MultiPolygon")
    scope_path = "path"

    code = models.CharField(
        verbose_name=_("统计用区划代码"),
        max_length=12,
        unique=True,
        help_text=_("12 位统计用区划代码，例如 130102001001"),
    )
    name = models.CharField(
        verbose_name=_("名称"),
        max_length=100,
    )
    level = models.PositiveSmallIntegerField(
        verbose_name=_("级别"),
        choices=Level.choices,
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级行政区"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    path = models.CharField(
        verbose_name=_("区划路径"),
        max_length=12,
        db_index=True,
        editable=False,
    )
    pinyin = models.CharField(
        verbose_name=_("拼音首字母"),
        max_length=100,
        blank=True,
        db_index=True,
        editable=False,
    )

    class Meta:
        verbose_name = _("行政区")
        verbose_name_plural = pgettext_lazy("plural", "行政区")
        ordering = ["code"]
        indexes = bbox_indexes("region")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if not (len(self.code or "") == 12 and self.code.isdigit()):
            raise ValidationError({"code": _("区划代码应为 12 位数字")})
        if self.level and self.code[PREFIX_LENGTH[self.level] :].strip("0"):
            raise ValidationError(
                {"code": _("该级别的区划代码在第 %(n)d 位之后应全为 0") % {"n": PREFIX_LENGTH[self.level]}}
            )
        if self.parent is not None:
            if self.parent.level >= self.level:
                raise ValidationError({"parent": _("上级行政区的级别必须高于本级")})
            if not self.code.startswith(self.parent.path):
                raise ValidationError(
                    {"code": _("区划代码应以上级区划代码 %(p)s 开头") % {"p": self.parent.path}}
                )

    def save(self, *args, **kwargs):
        self.path = code_prefix(self.code, self.level)
        self.pinyin = initials(self.name)
        super().save(*args, **kwargs)

    def subtree(self):
        return Region.objects.filter(path__startswith=self.path)

    def ancestors(self) -> list["Region"]:
        prefixes = [self.code[:n] for lvl, n in PREFIX_LENGTH.items() if lvl < self.level]
        codes = [p.ljust(12, "0") for p in prefixes]
        return list(Region.objects.filter(code__in=codes).order_by("level"))

    @property
    def full_name(self) -> str:
        return "".join(r.name for r in self.ancestors()) + self.name


class Grid(GeoModel):
    """A grid cell (网格) below a village, walked by one grid member."""

    geometry_types = ("Polygon", "MultiPolygon")
    scope_path = "region__path"

    region = models.ForeignKey(
        Region,
        verbose_name=_("所属村(社区)"),
        on_delete=models.PROTECT,
        related_name="grids",
    )
    code = models.CharField(
        verbose_name=_("网格编码"),
        max_length=30,
        unique=True,
    )
    name = models.CharField(
        verbose_name=_("名称"),
        max_length=100,
    )
    member = models.ForeignKey(
        "accounts.User",
        verbose_name=_("网格员"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="grids",
    )
    pinyin = models.CharField(max_length=100, blank=True, db_index=True, editable=False)

    class Meta:
        verbose_name = _("网格")
        verbose_name_plural = pgettext_lazy("plural", "网格")
        ordering = ["code"]
        indexes = bbox_indexes("grid")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.pinyin = initials(self.name)
        super().save(*args, **kwargs)
