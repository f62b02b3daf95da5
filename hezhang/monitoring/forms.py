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
