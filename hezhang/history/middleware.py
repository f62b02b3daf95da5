from hezhang.history.context import acting_as


class ActorMiddleware:
    """Marks changes made during a request with the logged-in user (API token users are set by the API views)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path
        source = "api" if path.startswith("/api/") else "admin" if path.startswith("/admin/") else "web"
        with acting_as(getattr(request, "user", None), source):
            return self.get_response(request)
