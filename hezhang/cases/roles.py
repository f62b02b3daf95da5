"""Who may act on a case: the one place that answers "is this user the dispatcher, the handler, a supervisor?"."""

from hezhang.accounts.models import Role


def _office_path(case) -> str:
    return case.office.region.path


def is_dispatcher(user, case) -> bool:
    """Staff of the office that holds the case, or of an office above it (they may step in)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_platform_admin:
        return True
    return (
        user.role == Role.OFFICE
        and user.region_id is not None
        and _office_path(case).startswith(user.region.path)
    )


def is_supervisor(user, case) -> bool:
    """An office strictly above the case's office: supervision (督办) is a higher level taking oversight."""
    if not is_dispatcher(user, case):
        return False
    return user.is_platform_admin or user.region.path != _office_path(case)


def is_handler(user, case) -> bool:
    """Whoever the case is assigned to: a department's staff, a chief, or a lower office's staff."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if case.handler_id and case.handler_id == user.pk:
        return True
    if case.department_id and user.role == Role.DEPARTMENT and user.department_id == case.department_id:
        return True
    if (
        case.handling_office_id
        and user.role == Role.OFFICE
        and user.region_id == case.handling_office.region_id
    ):
        return True
    return False
