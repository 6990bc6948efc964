"""Generated code runs in bubblewrap: as another, unprivileged user, in a private /tmp, with no network
except for installs, unable to write outside its project, and killed, process tree and all, at its
time limit. In CI a machine without a usable bubblewrap is a failure, not a skip."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from agents.sandbox import Limits, Sandbox, SandboxUnavailable, bwrap_problem, sandbox

PROBLEM = bwrap_problem()
if PROBLEM and os.environ.get("CI") != "true":
    pytest.skip(f"no sandbox here: {PROBLEM}", allow_module_level=True)


@pytest.fixture
def box() -> Iterator[Sandbox]:
    """A sandbox for a fresh project folder under the system's temporary folder (pytest's own is
    private to the worker's user, so the sandbox's user could not reach into it)."""
    assert PROBLEM is None, PROBLEM
    with tempfile.TemporaryDirectory(prefix="sandbox-test-") as folder:
        made = sandbox(Path(folder), allow_unsandboxed=False, kind="bwrap")
        made.give(Path(folder))
        yield made


def _python(box: Sandbox, code: str, **options):
    script = box.root / "probe.py"
    script.write_text(code)
    box.give(script)
    return box.run(f"python3 {script.name}", box.root, **options)


def test_a_command_runs_in_its_project_as_another_user(box):
    done = box.run("id -u; echo made > out.txt; cat out.txt", box.root)
    assert done.ok, done.output
    uid, made = done.output.split()
    assert made == "made" and (box.root / "out.txt").read_text() == "made\n"
    if os.geteuid() == 0:
        assert uid == "65534" and (box.root / "out.txt").stat().st_uid == 65534


def test_a_generated_test_cannot_open_a_network_connection(box):
    code = "import socket\nsocket.create_connection(('127.0.0.1', 5432), timeout=3)\n"
    done = _python(box, code)
    assert not done.ok
    assert "Network is unreachable" in done.output or "Connection refused" in done.output, done.output


def test_a_generated_test_cannot_write_outside_its_directory(box):
    outside = box.root.parent / f"{box.root.name}-outside.txt"
    code = (
        f"from pathlib import Path\n"
        f"for target in ['{outside}', '/usr/evil', '/etc/evil', '{Path.home()}/evil']:\n"
        f"    try:\n        Path(target).write_text('x')\n        print('WROTE', target)\n"
        f"    except OSError as exc:\n        print('refused', target, type(exc).__name__)\n"
    )
    done = _python(box, code)
    assert done.ok, done.output
    assert done.output.count("refused") == 3, done.output  # /usr, /etc and the worker's home
    assert not outside.exists()  # beside the project lies the sandbox's own private /tmp, not the machine's


def test_the_worker_environment_and_its_secrets_stay_outside(box, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "a-worker-secret-the-sandbox-must-not-see")
    done = box.run("env; ls /root 2>&1; cat /proc/1/cmdline | tr '\\0' ' '", box.root)
    assert "a-worker-secret" not in done.output
    assert "No such file or directory" in done.output  # the worker's home is not there at all


def test_a_check_that_hangs_is_killed_with_everything_it_started(box):
    started = time.monotonic()
    done = box.run("sleep 300 & sleep 300 & echo started; wait", box.root, limits=Limits(wall_s=2))
    assert done.timed_out and done.exit_code is None and "started" in done.output
    assert "time limit" in done.output
    assert time.monotonic() - started < 30
    left = subprocess.run(["pgrep", "-f", "sleep 300"], capture_output=True, text=True)
    assert left.stdout.strip() == "", "a process of the sandbox outlived it"


def test_a_cancelled_check_stops_at_the_next_checkpoint(box):
    calls = []

    def checkpoint():
        calls.append(1)
        if len(calls) > 2:
            raise RuntimeError("cancelled")

    done = box.run("sleep 60", box.root, checkpoint=checkpoint)
    assert done.stopped and done.exit_code is None and done.duration_s < 30


def test_memory_and_file_size_are_limited(box):
    done = _python(box, "b = bytearray(600 * 1024 * 1024)\nprint('allocated')\n", limits=Limits(memory_bytes=256 << 20))
    assert not done.ok and "allocated" not in done.output and "MemoryError" in done.output
    done = box.run("head -c 5000000 /dev/zero > big.bin", box.root, limits=Limits(file_bytes=1 << 20))
    assert not done.ok
    assert (box.root / "big.bin").stat().st_size <= 1 << 20


def test_only_installs_reach_the_network_namespace_of_the_machine(box):
    """With network (an install) the sandbox shares the machine's network: a local server answers."""
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", "0", "--bind", "127.0.0.1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        port = int(server.stdout.readline().split("port ")[1].split()[0])
        code = f"import urllib.request\nprint(urllib.request.urlopen('http://127.0.0.1:{port}/', timeout=5).status)\n"
        assert _python(box, code, network=True).output.strip().endswith("200")
        assert not _python(box, code).ok
    finally:
        server.kill()
        server.wait()


def test_no_sandbox_means_no_run_unless_the_deployment_allows_unsandboxed_offline_code(tmp_path):
    with pytest.raises(SandboxUnavailable, match="may not run without a sandbox"):
        sandbox(tmp_path, allow_unsandboxed=False, kind="none")
    with pytest.raises(SandboxUnavailable, match="not a sandbox this worker knows"):
        sandbox(tmp_path, allow_unsandboxed=False, kind="docker-maybe")
    assert sandbox(tmp_path, allow_unsandboxed=True, kind="none").isolated is False
