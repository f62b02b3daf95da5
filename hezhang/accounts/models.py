"""Users of the platform and the role each plays in the river chief system."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Role(models.TextChoices):
    ADMIN = "admin", _("系统管理员")
    OFFICE = "office", _("河长办工作人员")
    CHIEF = "chief", _("河湖长")
    GRID = "grid", _("网格员/巡河员")
    DEPARTMENT = "department", _("职能部门人员")
    DELEGATE = "delegate", _("人大代表/政协委员")


class ChiefLevel(models.IntegerChoices):
    PROVINCE = 1, _("省级")
    CITY = 2, _("市级")
    COUNTY = 3, _("县级")
    TOWNSHIP = 4, _("乡级")
    VILLAGE = 5, _("村级")


# What the river chief system adds to a login: shown and edited together on the pages, the API and the admin.
PROFILE_FIELDS = ["name", "role", "region", "department", "chief_level", "is_general", "position", "phone"]


class User(AbstractUser):
    """A person who logs in: office staff, a chief, a grid member, department staff or a delegate.

    The user's region is where their jurisdiction starts: they see that region's subtree (chiefs also see
    the water bodies and reaches they are assigned to, wherever those lie).
    """

    name = models.CharField(
        verbose_name=_("姓名"),
        max_length=50,
        blank=True,
    )
    role = models.CharField(
        verbose_name=_("角色"),
        max_length=20,
        choices=Role.choices,
        default=Role.OFFICE,
        db_index=True,
    )
    region = models.ForeignKey(
        "registry.Region",
        verbose_name=_("所属行政区"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    department = models.ForeignKey(
        "registry.Department",
        verbose_name=_("所属部门"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="staff",
    )
    chief_level = models.PositiveSmallIntegerField(
        verbose_name=_("河长级别"),
        choices=ChiefLevel.choices,
        null=True,
        blank=True,
    )
    is_general = models.BooleanField(
        verbose_name=_("总河长"),
        default=False,
    )
    position = models.CharField(
        verbose_name=_("职务"),
        max_length=100,
        blank=True,
        help_text=_("在公示牌和公开页面上显示，例如“县委书记”"),
    )
    phone = models.CharField(
        verbose_name=_("手机号码"),
        max_length=20,
        blank=True,
        help_text=_("仅工作人员可见，不在公开页面显示"),
    )
    pinyin = models.CharField(
        verbose_name=_("拼音首字母"),
        max_length=100,
        blank=True,
        db_index=True,
        editable=False,
    )

    objects = UserManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = pgettext_lazy("plural", "用户")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.name or self.username

    @property
    def display_name(self) -> str:
        return self.name or self.get_full_name() or self.username

    @property
    def is_platform_admin(self) -> bool:
        return self.is_superuser or self.role == Role.ADMIN

    @property
    def can_edit_registry(self) -> bool:
        return self.is_active and (self.is_platform_admin or self.role == Role.OFFICE)

    def save(self, *args, **kwargs):
        from hezhang.registry.pinyin import initials

        self.pinyin = initials(self.name)
        super().save(*args, **kwargs)
