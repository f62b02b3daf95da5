import io

import pytest
from PIL import Image

from hezhang.cases.intake import create_case
from hezhang.cases.models import CaseCategory


def jpeg(color=(40, 120, 200), size=(64, 48)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def pollution():
    return CaseCategory.objects.get(region=None, code="water_pollution")


@pytest.fixture
def staff_b(world, django_user_model):
    """dana works in 西河乡城建办, the department cases get assigned to."""
    return django_user_model.objects.create_user(
        username="dana",
        password="x-pass-12345",
        role="department",
        region=world.town_b,
        department=world.dept_b,
    )


@pytest.fixture
def case_b(world, pollution, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    case, _ = create_case(
        category=pollution,
        channel="public",
        lon=114.83,
        lat=37.18,
        description="河面有油污",
        reporter_phone="13800000009",
        photos=[(jpeg(), "before.jpg")],
    )
    return case
