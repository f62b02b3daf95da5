"""Forms: a lab sample by hand (one field per parameter), a hydrological reading, a file import, an alert rule."""

from django import forms
from django.utils.translation import gettext_lazy as _

from hezhang.accounts.jurisdiction import visible
from hezhang.monitoring.models import AlertKind, AlertRule, Station, StationKind
from hezhang.monitoring.parameters import PARAMETERS
from hezhang.monitoring.quality import parse_value
from hezhang.registry.models import Region, Section

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class SampleForm(forms.Form):
    section = forms.ModelChoiceField(label=_("断面"), queryset=Section.objects.none())
    taken_at = forms.DateTimeField(label=_("采样时间"), widget=DATETIME_WIDGET)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section"].queryset = visible(Section.objects.select_related("water_body"), user)
        for key, parameter in PARAMETERS.items():
            unit = "" if parameter.unit in ("", "dimensionless") else f"（{parameter.unit}）"
            self.fields[f"p_{key}"] = forms.CharField(
                label=f"{parameter.name}{unit}",
                required=False,
                max_length=30,
                widget=forms.TextInput(attrs={"inputmode": "decimal", "data-key": key, "size": 8}),
                help_text=key,
            )
        self._values: dict[str, float] = {}
        self._flags: dict[str, str] = {}

    def parameter_fields(self):
        return [self[f"p_{key}"] for key in PARAMETERS]

    def clean(self):
        data = super().clean()
        for key in PARAMETERS:
            raw = (data.get(f"p_{key}") or "").strip()
            if not raw:
                continue
            try:
                value, flag = parse_value(raw)
            except ValueError as exc:
                self.add_error(f"p_{key}", str(exc))
                continue
            self._values[key] = value
            if flag:
                self._flags[key] = flag
        if not self._values and not self.errors:
            raise forms.ValidationError(_("请至少填写一个监测项目的数值"))
        return data

    def values(self) -> dict[str, float]:
        return dict(self._values)

    def flags(self) -> dict[str, str]:
        return dict(self._flags)


class ReadingForm(forms.Form):
    station = forms.ModelChoiceField(label=_("监测站"), queryset=Station.objects.none())
    observed_at = forms.DateTimeField(label=_("观测时间"), widget=DATETIME_WIDGET)
    water_level = forms.FloatField(label=_("水位（米）"), required=False)
    flow = forms.FloatField(label=_("流量（立方米每秒）"), required=False, min_value=0)
    rainfall = forms.FloatField(label=_("雨量（毫米）"), required=False, min_value=0)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = visible(
            Station.objects.filter(kind__in=[StationKind.HYDROLOGY, StationKind.RAINFALL]), user
        )

    def clean(self):
        data = super().clean()
        if all(data.get(k) is None for k in ("water_level", "flow", "rainfall")) and not self.errors:
            raise forms.ValidationError(_("水位、流量、雨量至少填写一项"))
        return data


class ImportForm(forms.Form):
    what = forms.ChoiceField(
        label=_("数据类型"),
        choices=[("samples", _("水质监测数据")), ("readings", _("水雨情数据"))],
    )
    file = forms.FileField(label=_("文件（xlsx 或 CSV）"))
    dry_run = forms.BooleanField(label=_("试运行（只检查，不写入）"), required=False)


class AlertRuleForm(forms.ModelForm):
    class Meta:
        model = AlertRule
        fields = [
            "name",
            "kind",
            "region",
            "section",
            "station",
            "parameter",
            "threshold",
            "hours",
            "months",
            "opens_case",
            "category",
            "active",
        ]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["region"].queryset = visible(Region.objects.all(), user)
        self.fields["section"].queryset = visible(Section.objects.all(), user)
        self.fields["station"].queryset = visible(Station.objects.all(), user)
        self.fields["parameter"].widget = forms.Select(
            choices=[("", "—")] + [(k, f"{p.name}（{k}）") for k, p in PARAMETERS.items()]
        )
        if user is not None and not user.is_platform_admin:
            self.fields["region"].required = True

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind in (AlertKind.LIMIT, AlertKind.JUMP) and not data.get("parameter"):
            self.add_error("parameter", _("超限、突变规则需要选择监测项目"))
        if kind == AlertKind.JUMP and data.get("threshold") is None:
            self.add_error("threshold", _("突变规则需要填写变化量"))
        if kind == AlertKind.MISSING and not data.get("hours"):
            self.add_error("hours", _("数据缺失规则需要填写小时数"))
        return data


class StationForm(forms.ModelForm):
    """A station as office staff register it: for an automatic station, its MN and the password it sends."""

    password = forms.CharField(
        label=_("访问密码（PW）"),
        required=False,
        max_length=64,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("HJ 212 数据包中的 PW；修改时留空则不变"),
    )
    lon = forms.FloatField(label=_("经度"), min_value=-180, max_value=180)
    lat = forms.FloatField(label=_("纬度"), min_value=-90, max_value=90)

    class Meta:
        model = Station
        fields = [
            "code",
            "name",
            "kind",
            "region",
            "section",
            "mn",
            "warning_level",
            "guarantee_level",
            "rain_warning",
            "active",
        ]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:
            self.fields["region"].queryset = visible(Region.objects.all(), user)
            self.fields["section"].queryset = visible(Section.objects.all(), user)
        point = self.instance.point if self.instance.pk else None
        if point:
            self.initial.setdefault("lon", point[0])
            self.initial.setdefault("lat", point[1])

    def clean(self):
        data = super().clean()
        if data.get("kind") == StationKind.WATER_QUALITY:
            if not data.get("section"):
                self.add_error("section", _("水质自动站需要关联断面"))
            if data.get("mn") and not data.get("password") and not self.instance.password_hash:
                self.add_error("password", _("请设置访问密码：站点在每个数据包中发送它"))
        if data.get("mn") == "":
            data["mn"] = None
        return data

    def save(self, commit=True):
        station = super().save(commit=False)
        station.geometry = {
            "type": "Point",
            "coordinates": [self.cleaned_data["lon"], self.cleaned_data["lat"]],
        }
        if self.cleaned_data.get("password"):
            station.set_password(self.cleaned_data["password"])
        if commit:
            station.save()
        return station
