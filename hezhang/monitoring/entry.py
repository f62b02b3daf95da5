"""What every way of writing monitoring data checks first: an error naming its field, and a time not in the future."""

import datetime

from django.utils import timezone

# A device clock a little ahead of the server's is common; more than this is a wrong time.
CLOCK_SLACK = datetime.timedelta(minutes=10)


class EntryError(ValueError):
    """A sample or reading that cannot be stored, with the field it is about (for forms, imports and the API)."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def checked_time(moment: datetime.datetime, field: str, what: str) -> datetime.datetime:
    """The moment made aware; EntryError if it lies in the future."""
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    if moment > timezone.now() + CLOCK_SLACK:
        raise EntryError(field, f"{what}不能晚于当前时间")
    return moment
