"""The workbench (工作台): what a user sees after login — their jurisdiction, its water bodies and chiefs."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Count, Q
from django.shortcuts import render
from django.views import View

from hezhang.accounts.jurisdiction import visible
from hezhang.accounts.models import ChiefLevel, Role
from hezhang.registry.models import ChiefAssignment, Reach, WaterBody


def overview(user) -> dict:
    """The registry's side of the workbench: the water, the reaches and the chiefs of the user's jurisdiction."""
    water_bodies = visible(WaterBody.objects.all(), user)
    reaches = visible(Reach.objects.all(), user)
    # Chiefs of every level who answer for water here: the county chief of a river crossing a township is
    # one of that township's chiefs too, although the assignment itself belongs to the county.
    assignments = (
        ChiefAssignment.objects.current()
        .filter(water_body__in=water_bodies.values("pk"))
        .filter(Q(reach=None) | Q(reach__in=reaches.values("pk")))
        .select_related("chief", "water_body", "reach", "region")
        .order_by("level", "region__code", "water_body__code")
    )
    mine = (
        ChiefAssignment.objects.current().filter(chief=user).select_related("water_body", "reach", "region")
    )
    kinds = water_bodies.values("kind").annotate(n=Count("id")).order_by("kind")
    reach_count = reaches.count()
    chiefs = assignments.values("chief").distinct().count()
    levels = assignments.aggregate(
        **{f"l{i}": Count("chief", distinct=True, filter=Q(level=i)) for i in range(1, 6)}
    )
    return {
        "water_bodies": water_bodies.select_related("region").order_by("code")[:200],
        "water_body_count": water_bodies.count(),
        "kinds": [(WaterBody(kind=k["kind"]).get_kind_display(), k["n"]) for k in kinds],
        "reach_count": reach_count,
        "chief_count": chiefs,
        "levels": [(ChiefLevel(i).label, levels[f"l{i}"]) for i in range(1, 6)],
        "assignments": assignments[:300],
        "mine": mine,
        "is_chief": user.role == Role.CHIEF,
    }


class Workbench(LoginRequiredMixin, View):
    template_name = "accounts/workbench.html"

    def context(self, request) -> dict:
        return overview(request.user)

    def get(self, request):
        return render(request, self.template_name, self.context(request))


class Profile(LoginRequiredMixin, View):
    def get(self, request):
        from rest_framework.authtoken.models import Token

        token = Token.objects.filter(user=request.user).first()
        return render(request, "accounts/profile.html", {"token": token})

    def post(self, request):
        from rest_framework.authtoken.models import Token

        Token.objects.filter(user=request.user).delete()
        token = Token.objects.create(user=request.user)
        return render(request, "accounts/profile.html", {"token": token, "new_token": True})
