"""`hezhang serve --prod`: gunicorn serves the app and whitenoise the hashed static files."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_production_server_serves_pages_and_compressed_static_files(tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "HEZHANG_SECRET_KEY": "test-" + "x" * 40,
        "HEZHANG_DATA_DIR": str(tmp_path),
        "HEZHANG_WORKERS": "1",
    }
    env.pop("DATABASE_URL", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "hezhang.cli", "serve", "--prod", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        body = None
        for _ in range(120):
            try:
                body = (
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=2)
                    .read()
                    .decode()
                )
                break
            except OSError:
                time.sleep(0.5)
        assert body is not None, (
            proc.stdout.read1().decode() if proc.poll() is not None else "server did not start"
        )
        assert "登录" in body
        css = [part.split('"')[0] for part in body.split('href="/static/')[1:] if "site." in part][0]
        assert css != "hezhang/site.css"  # a hashed name, cacheable forever
        response = urllib.request.urlopen(f"http://127.0.0.1:{port}/static/{css}", timeout=5)
        assert response.status == 200 and "max-age" in response.headers.get("Cache-Control", "")
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
