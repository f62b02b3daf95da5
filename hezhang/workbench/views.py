"""工作台: the home page after login, what each role has to act on first, above the jurisdiction's overview."""

from hezhang.accounts.views import Workbench
from hezhang.workbench import figures


class Home(Workbench):
    template_name = "workbench/home.html"

    def context(self, request) -> dict:
        return {**super().context(request), "todo": figures.for_user(request.user)}
