"""Forms of the case pages: one action form whose fields depend on the step, and the staff intake form."""

from django import forms
from django.utils.translation import gettext_lazy as _

from hezhang.accounts.jurisdiction import visible
from hezhang.accounts.models import Role, User
from hezhang.cases.models import Case, CaseCategory, Channel, Urgency
from hezhang.registry.models import Department, Office, Reach


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    widget = MultipleFileInput(attrs={"accept": "image/*", "multiple": True})

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(PhotosField, self).clean(f, initial) for f in files]


class ActionForm(forms.Form):
    """Fields shown per action (see FIELDS); the workflow itself decides whether the step is allowed."""

    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    department = forms.ModelChoiceField(
        label=_("交办职能部门"), queryset=Department.objects.none(), required=False
    )
    handling_office = forms.ModelChoiceField(
        label=_("交办下级河长办"), queryset=Office.objects.none(), required=False
    )
    handler = forms.ModelChoiceField(label=_("交办河长"), queryset=User.objects.none(), required=False)
    deadline = forms.DateTimeField(
        label=_("办理期限"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    target_date = forms.DateField(
        label=_("挂账目标日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    duplicate_of = forms.CharField(label=_("合并到案件编号"), required=False)
    rating = forms.ChoiceField(
        label=_("满意度"),
        required=False,
        choices=[("satisfied", _("满意")), ("fair", _("基本满意")), ("unsatisfied", _("不满意"))],
        widget=forms.RadioSelect,
    )
    photos = PhotosField(label=_("照片"), required=False)
    office = forms.ModelChoiceField(label=_("改派至河长办"), queryset=Office.objects.none(), required=False)
    reach = forms.ModelChoiceField(label=_("改为河段"), queryset=Reach.objects.none(), required=False)
    proposed_department = forms.ModelChoiceField(
        label=_("建议处置部门"), queryset=Department.objects.none(), required=False
    )

    FIELDS = {
        "reroute": ["reach", "office", "proposed_department", "note"],
        "assign": ["department", "handling_office", "handler", "deadline", "note"],
        "transfer": ["department", "handling_office", "handler", "deadline", "note"],
        "merge": ["duplicate_of", "note"],
        "extend_request": ["deadline", "note"],
        "long_term": ["target_date", "note"],
        "complete": ["photos", "note"],
        "progress": ["photos", "note"],
        "rate": ["rating", "note"],
    }

    def __init__(self, *args, action: str, case: Case, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.action, self.case = action, case
        keep = self.FIELDS.get(action, ["note"])
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        if "department" in self.fields:
            self.fields["department"].queryset = visible(Department.objects.all(), user).order_by(
                "region__code"
            )
            self.fields["department"].initial = case.proposed_department_id
            self.fields["handling_office"].queryset = Office.objects.filter(
                region__path__startswith=case.office.region.path
            ).exclude(pk=case.office_id)
            self.fields["handler"].queryset = User.objects.filter(
                role=Role.CHIEF, chief_cases=case
            ) | User.objects.filter(
                role=Role.CHIEF, region__path__startswith=case.region.path, is_active=True
            )
            self.fields["handler"].queryset = self.fields["handler"].queryset.distinct()
        if action == "reroute":
            # A township office may hand a misrouted case up to the office above it, which can send it anywhere below.
            parent = case.office.region.parent
            offices = visible(Office.objects.all(), user)
            if parent is not None:
                offices = offices | Office.objects.filter(region=parent)
            self.fields["office"].queryset = offices.distinct().order_by("region__code")
            self.fields["reach"].queryset = visible(
                Reach.objects.select_related("water_body"), user
            ).order_by("code")
            self.fields["proposed_department"].queryset = visible(Department.objects.all(), user)
        if action == "complete":
            self.fields["photos"].required = True
            self.fields["photos"].help_text = _("请在与处置前照片相同的位置和角度拍摄")

    def clean_duplicate_of(self):
        number = self.cleaned_data.get("duplicate_of", "").strip()
        if not number:
            return None
        other = Case.objects.filter(number=number).first()
        if other is None:
            raise forms.ValidationError(_("找不到编号为 %(n)s 的案件") % {"n": number})
        return other

    def workflow_params(self) -> dict:
        data = {
            k: v
            for k, v in self.cleaned_data.items()
            if k not in ("note", "photos") and v not in (None, "", [])
        }
        if self.action in ("assign", "transfer"):
            for name in ("department", "handling_office", "handler"):
                data.setdefault(name, None)
        return data


class IntakeForm(forms.Form):
    """Staff record a case from a hotline call, a delegate, an inspection…"""

    channel = forms.ChoiceField(
        label=_("来源渠道"),
        choices=[c for c in Channel.choices if c[0] not in ("public", "patrol", "sensor")],
        initial="hotline",
    )
    category = forms.ModelChoiceField(label=_("问题类别"), queryset=CaseCategory.objects.all())
    urgency = forms.ChoiceField(label=_("紧急程度"), choices=Urgency.choices, initial="normal")
    title = forms.CharField(label=_("标题"), max_length=100, required=False)
    description = forms.CharField(label=_("描述"), widget=forms.Textarea(attrs={"rows": 3}))
    address = forms.CharField(label=_("位置描述"), max_length=200, required=False)
    lon = forms.FloatField(label=_("经度"), min_value=-180, max_value=180, widget=forms.HiddenInput)
    lat = forms.FloatField(label=_("纬度"), min_value=-90, max_value=90, widget=forms.HiddenInput)
    reporter_name = forms.CharField(label=_("来电人/反映人"), max_length=50, required=False)
    reporter_phone = forms.CharField(label=_("联系电话（不公开）"), max_length=20, required=False)
    photos = PhotosField(label=_("照片"), required=False)

    def clean(self):
        data = super().clean()
        if "lon" in self.errors or "lat" in self.errors or data.get("lon") is None:
            self.errors.pop("lon", None)
            self.errors.pop("lat", None)
            self.add_error(None, _("请在地图上点选问题位置"))
        return data


class CategoryForm(forms.ModelForm):
    """A region's own kind of problem, with its usual department and deadlines."""

    class Meta:
        model = CaseCategory
        fields = [
            "region",
            "code",
            "name",
            "name_en",
            "group",
            "department_kind",
            "deadline_days",
            "urgent_deadline_days",
            "public",
        ]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        from hezhang.registry.models import Region

        self.fields["region"].queryset = visible(Region.objects.filter(level__lte=4), user)
        self.fields["region"].required = True

    def clean(self):
        data = super().clean()
        days, urgent = data.get("deadline_days"), data.get("urgent_deadline_days")
        if days and urgent and urgent > days:
            self.add_error("urgent_deadline_days", _("紧急时限不能长于一般时限"))
        return data
