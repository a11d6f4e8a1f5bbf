"""Debian's nginx as the load balancer of a scale-out test or benchmark: a configuration
generated into a temporary directory, one loopback port per pool of instances, round-robin,
run in the foreground and stopped with the test. Nothing is written outside the directory."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from tests.support.ports import free_port
from tests.support.services import unavailable

NGINX = "/usr/sbin/nginx"

# One worker, so that round robin strictly alternates between a pool's instances. Keep-alive
# connections to the instances, as in production; no access log (paths are all it would hold,
# but the tests check that nothing is written that need not be).
TEMPLATE = """\
{user}worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {dir}/client_body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    client_max_body_size 64k;
{pools}
}}
"""

POOL = """\
    upstream {name} {{
{servers}
        keepalive 32;
        keepalive_timeout 4s;  # under uvicorn's 5 s, so nginx never reuses a closing one
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://{name};
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_read_timeout 120s;
        }}
    }}
"""


def nginx_path() -> str:
    """The nginx binary, or skip (fail under PCL_REQUIRE_SERVICES=1)."""
    found = shutil.which("nginx") or (NGINX if os.access(NGINX, os.X_OK) else None)
    if found is None:
        unavailable("nginx is not installed: `make test-scaleout` installs Debian's package")
    return found


def render(directory: Path, pools: dict[str, list[str]], ports: dict[str, int]) -> str:
    """The configuration: for each pool, an upstream of its instances' URLs and a server on
    its port."""
    blocks = []
    for name, urls in pools.items():
        servers = "\n".join(f"        server {urlsplit(url).netloc};" for url in urls)
        blocks.append(POOL.format(name=name, servers=servers, port=ports[name]))
    # As root, the workers would otherwise switch to `nobody`, who cannot use the directory.
    user = "user root;\n" if os.geteuid() == 0 else ""
    return TEMPLATE.format(user=user, dir=directory, pools="\n".join(blocks))


class Nginx:
    """`Nginx(directory, {"api": [url1, url2]}).start()`; then `url("api")`."""

    def __init__(self, directory: Path, pools: dict[str, list[str]]) -> None:
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self.pools = pools
        self.ports = {name: free_port() for name in pools}
        self.config = self.directory / "nginx.conf"
        self.process: subprocess.Popen[bytes] | None = None

    def url(self, pool: str) -> str:
        return f"http://127.0.0.1:{self.ports[pool]}"

    def start(self, timeout: float = 20) -> Nginx:
        binary = nginx_path()
        self.config.write_text(render(self.directory, self.pools, self.ports))
        command = [binary, "-p", str(self.directory), "-e", str(self.directory / "error.log")]
        command += ["-c", str(self.config)]
        check = subprocess.run([*command, "-t"], capture_output=True, text=True, timeout=30)
        if check.returncode != 0:
            raise RuntimeError(f"nginx refused its configuration:\n{check.stderr}")
        log = (self.directory / "nginx.out").open("ab")
        self.process = subprocess.Popen(
            [*command, "-g", "daemon off;"],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx exited: {self.error_log()}")
            try:
                for pool in self.pools:
                    httpx.get(self.url(pool), timeout=2)
                return self
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError(f"nginx did not listen in {timeout} s: {self.error_log()}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGQUIT)  # graceful: finish the requests in flight
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def error_log(self) -> str:
        path = self.directory / "error.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def __enter__(self) -> Nginx:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()
