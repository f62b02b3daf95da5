"""System admins read the jobs' state in the admin; nobody edits it."""

from hezhang.jobs.models import JobRun


def test_system_admin_reads_the_job_list_but_cannot_change_it(world, login):
    run = JobRun.objects.create(name="notifications.deliver", runs=3, last_error="boom")
    client = login(world.admin)
    assert "notifications.deliver" in client.get("/admin/jobs/jobrun/").content.decode()
    assert client.get("/admin/jobs/jobrun/add/").status_code == 403
    assert client.post(f"/admin/jobs/jobrun/{run.pk}/delete/", {"post": "yes"}).status_code == 403
    assert JobRun.objects.filter(pk=run.pk).exists()
