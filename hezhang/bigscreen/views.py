"""大屏: the command centre's full-screen page and the figures it polls."""

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render

from hezhang.bigscreen.figures import screen

# The screen stays logged in on the wall: a month from its last refresh, not the usual session length.
SCREEN_SESSION_SECONDS = 30 * 24 * 3600


@login_required
def page(request):
    request.session.set_expiry(SCREEN_SESSION_SECONDS)
    return render(request, "bigscreen/screen.html", {"figures": screen(request.user)})


@login_required
def data(request):
    request.session.set_expiry(SCREEN_SESSION_SECONDS)
    return JsonResponse(screen(request.user))
