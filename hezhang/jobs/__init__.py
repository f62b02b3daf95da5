"""Background jobs without an extra server: periodic functions run by a worker loop, coordinated in the database.

An app registers a job in its own ``jobs.py`` (found automatically when Django starts)::

    from hezhang.jobs.schedule import every

    @every(10, "notifications.deliver")
    def deliver():
        ...

The worker loop calls ``run_due()`` every few seconds; each job's last run is a row of ``jobs.JobRun``, claimed with
a compare-and-set on ``last_started`` (and ``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL), so any number of
worker processes or threads can run side by side and a job still runs once per interval, never twice at once.

Where the loop runs:

- Production: ``hezhang worker`` as its own long-running service, e.g. a systemd unit::

      [Service]
      ExecStart=/srv/hezhang/.venv/bin/hezhang worker
      Restart=always
      EnvironmentFile=/etc/hezhang.env

  or, if a resident process is not wanted, cron every minute: ``* * * * * /srv/hezhang/.venv/bin/hezhang worker --once``
  (jobs then run at most once a minute).
- Demo and a single small server: with ``HEZHANG_INPROCESS_WORKER=1`` every web process starts the same loop in a
  daemon thread (``hezhang.jobs.worker.start_in_process_worker``); several processes are safe for the reason above.
- Tests never start it: they call ``run_due()`` or ``hezhang worker --once`` themselves.

Redis, Celery or any other broker is not required: the database the platform already uses is the only shared state.
"""
