"""我的通知, the bell in the top bar, and the outbox page for system admins."""

from django.urls import reverse

from hezhang.notifications.models import Notification, OutboxMessage, Status
from hezhang.notifications.service import notify


def bell(html: str) -> str:
    start = html.index('class="bell"')
    return html[start : html.index("</a>", start)]


def test_bell_shows_unread_count(world, login):
    for n in range(3):
        notify("urged", [world.chief_a], {"code": f"AJ{n}", "title": "排污口"})
    first = Notification.objects.earliest("id")
    first.read_at = first.created_at
    first.save()
    client = login(world.chief_a)
    assert '<span class="count">2</span>' in bell(client.get("/").content.decode())
    # Someone else's bell stays quiet.
    assert 'class="count"' not in bell(login(world.alice).get("/").content.decode())


def test_bell_caps_a_large_count(world, login):
    Notification.objects.bulk_create(Notification(recipient=world.alice, title=f"n{i}") for i in range(120))
    assert '<span class="count">99+</span>' in bell(login(world.alice).get("/").content.decode())


def test_bell_is_on_every_staff_page_but_not_for_anonymous_visitors(world, client, login):
    assert 'class="bell"' not in client.get(reverse("accounts:login")).content.decode()
    html = login(world.bob).get(reverse("registry:index")).content.decode()
    assert f'href="{reverse("notifications:list")}" class="bell"' in html


def test_opening_a_notification_marks_it_read_and_follows_its_link(world, login):
    notify("assigned", [world.chief_a], {"title": "排污口"}, url="/registry/")
    note = Notification.objects.get()
    response = login(world.chief_a).get(reverse("notifications:open", args=[note.pk]))
    assert response.status_code == 302 and response["Location"] == "/registry/"
    note.refresh_from_db()
    assert note.read_at is not None


def test_a_link_to_another_site_is_not_followed(world, login):
    note = Notification.objects.create(recipient=world.alice, title="x", url="https://evil.example/")
    response = login(world.alice).get(reverse("notifications:open", args=[note.pk]))
    assert response["Location"] == reverse("notifications:list")


def test_someone_elses_notification_is_not_found(world, login):
    note = Notification.objects.create(recipient=world.alice, title="x")
    assert login(world.bob).get(reverse("notifications:open", args=[note.pk])).status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


def test_my_notifications_lists_mine_and_marks_all_read(world, login):
    notify("overdue", [world.alice], {"code": "AJ7", "title": "河道采砂", "days": 3})
    notify("overdue", [world.bob], {"code": "AJ8", "title": "违法建筑", "days": 1})
    client = login(world.alice)
    html = client.get(reverse("notifications:list")).content.decode()
    assert "已超期：河道采砂" in html and "违法建筑" not in html and "1 条未读" in html
    response = client.post(reverse("notifications:read_all"))
    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=world.alice, read_at=None).exists()
    assert Notification.objects.filter(recipient=world.bob, read_at=None).exists()


def test_outbox_page_is_for_system_admins_only(world, client, login):
    url = reverse("notifications:outbox")
    assert client.get(url).status_code == 302  # to the login page
    assert login(world.county_office).get(url).status_code == 403
    assert login(world.chief_a).post(reverse("notifications:retry", args=[1])).status_code == 403
    assert login(world.admin).get(url).status_code == 200
    world.bob.role = "admin"
    world.bob.save()
    assert login(world.bob).get(url).status_code == 200


def test_outbox_shows_errors_and_filters_by_status_and_channel(world, login):
    OutboxMessage.objects.create(channel="sms", to="13900000001", body="短信一", status=Status.SENT)
    OutboxMessage.objects.create(
        channel="sms",
        to="13900000002",
        body="短信二",
        status=Status.FAILED,
        attempts=5,
        last_error="触发流控",
    )
    OutboxMessage.objects.create(channel="email", to="a@example.cn", body="邮件一", status=Status.FAILED)
    client = login(world.admin)
    html = client.get(
        reverse("notifications:outbox"), {"status": "failed", "channel": "sms"}
    ).content.decode()
    assert "短信二" in html and "触发流控" in html and "短信一" not in html and "邮件一" not in html
    assert reverse("notifications:retry", args=[OutboxMessage.objects.get(body="短信二").pk]) in html


def test_retry_now_sends_a_failed_message_again(world, login, settings):
    settings.HEZHANG_SMS_PROVIDER = "outbox"
    message = OutboxMessage.objects.create(
        channel="sms", to="13900000001", body="短信", status=Status.FAILED, attempts=5, last_error="timeout"
    )
    back = reverse("notifications:outbox") + "?status=failed"
    response = login(world.admin).post(reverse("notifications:retry", args=[message.pk]), {"next": back})
    assert response.status_code == 302 and response["Location"] == back
    message.refresh_from_db()
    assert message.status == Status.SENT and message.provider == "outbox"


def test_my_notifications_links_to_the_outbox_for_admins_only(world, login):
    outbox = reverse("notifications:outbox")
    assert outbox in login(world.admin).get(reverse("notifications:list")).content.decode()
    assert outbox not in login(world.alice).get(reverse("notifications:list")).content.decode()
