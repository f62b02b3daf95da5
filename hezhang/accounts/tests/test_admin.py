"""The Django admin is for system admins only; office staff use the jurisdiction-aware pages."""


def test_system_admin_opens_the_admin_site(world, login):
    assert login(world.admin).get("/admin/registry/reach/").status_code == 200


def test_office_staff_marked_staff_by_mistake_still_cannot_open_the_admin(world, login):
    world.county_office.is_staff = True
    world.county_office.save()
    response = login(world.county_office).get("/admin/registry/reach/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_history_cannot_be_edited_even_by_an_admin(world, login):
    from hezhang.history.models import Change

    change = Change.objects.first()
    assert (
        login(world.admin).post(f"/admin/history/change/{change.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert Change.objects.filter(pk=change.pk).exists()
