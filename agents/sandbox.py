"""Running generated code, which a model may have written, isolated from the worker that runs it.

The sandbox is bubblewrap (Debian's `bwrap`): each command runs in new namespaces (mount, PID,
IPC, UTS, network, user) with no capabilities, as an unprivileged user (65534, "nobody", when the
worker is root; else the worker's own uid inside a user namespace), and sees only what it is given:
the system's /usr and /etc read-only, a private /tmp, the part's folder read-write, and read-only
folders the caller names (a cached Python environment). The network is unshared unless the step
is an install, which needs the package registry; even 127.0.0.1 of the host is out of reach then.
Resource limits (setrlimit, inherited through bwrap) bound CPU time, memory (data segment),
processes, the size of any file written, and the wall time; bwrap's --die-with-parent and its own
PID namespace kill every process the command started when it ends or is killed.

`VERIFY_SANDBOX=none` runs commands without isolation (the same limits, its own process group); a
verify stage only uses it for code no model wrote, when the deployment allows that explicitly.
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

SANDBOX_UID = 65534  # "nobody": the sandbox's user when the worker runs as root
OUTPUT_TAIL_CHARS = 6000  # what a check keeps of its output: the end, where the errors are
SYSTEM_PATH = "/usr/local/bin:/usr/bin:/bin"


class SandboxUnavailable(Exception):
    """This worker cannot isolate generated code; the message says why, in plain words."""


@dataclass(frozen=True)
class Limits:
    wall_s: float = 600
    cpu_s: int = 900
    memory_bytes: int = 4 << 30
    processes: int = 512
    file_bytes: int = 512 << 20


@dataclass
class Outcome:
    exit_code: int | None  # None when the command was killed at its wall-time limit or stopped
    output: str  # the end of stdout and stderr together, at most OUTPUT_TAIL_CHARS characters
    duration_s: float
    timed_out: bool = False
    stopped: bool = False  # the caller's checkpoint raised: the run was cancelled or the task timed out

    @property
    def ok(self) -> bool:
        return self.exit_code == 0


@dataclass
class Sandbox:
    """Runs commands inside one folder (`root`, the project, bound read-write at its own path) with
    `kind` isolation."""

    kind: str  # "bwrap" or "none"
    root: Path = Path("/nonexistent")
    read_only: list[Path] = field(default_factory=list)  # extra folders the commands may read, at their own paths

    @property
    def isolated(self) -> bool:
        return self.kind == "bwrap"

    @property
    def uid(self) -> int:
        return SANDBOX_UID if os.geteuid() == 0 else os.geteuid()

    def give(self, path: Path, files: list[str] | None = None) -> None:
        """Make `path` (a folder or file the worker created), or only `files` under it, the sandbox
        user's, so its commands can write there."""
        if os.geteuid() != 0 or not self.isolated:
            return
        if files is not None:
            for name in files:
                os.chown(path / name, self.uid, self.uid, follow_symlinks=False)
            return
        os.chown(path, self.uid, self.uid, follow_symlinks=False)
        for folder, dirs, names in os.walk(path):
            for name in dirs + names:
                os.chown(os.path.join(folder, name), self.uid, self.uid, follow_symlinks=False)

    def run(
        self,
        command: str,
        cwd: Path,
        *,
        network: bool = False,
        env: dict[str, str] | None = None,
        limits: Limits = Limits(),
        checkpoint: Callable[[], None] = lambda: None,
    ) -> Outcome:
        """`command` (a shell line) in `cwd`, a folder inside `root`."""
        environment = (
            {
                "HOME": "/tmp",
                "PATH": f"{cwd}/node_modules/.bin:{SYSTEM_PATH}",
                "LANG": "C.UTF-8",
                "CI": "true",
                "NO_COLOR": "1",
                "npm_config_update_notifier": "false",
            }
            | forwarded_settings()
            | (env or {})
        )
        if self.isolated:
            argv = [*self._bwrap(cwd, network=network, env=environment), "/bin/sh", "-c", command]
            environment = {}
        else:
            argv = ["/bin/sh", "-c", command]
        return _supervise(argv, cwd, environment, limits, self.uid if self.isolated else None, checkpoint)

    def _bwrap(self, cwd: Path, *, network: bool, env: dict[str, str]) -> list[str]:
        argv = [
            "bwrap",
            "--unshare-all",
            *(["--share-net"] if network else []),
            "--die-with-parent",
            "--new-session",
            "--ro-bind",
            "/usr",
            "/usr",
            "--ro-bind",
            "/etc",
            "/etc",
            "--symlink",
            "usr/lib",
            "/lib",
            "--symlink",
            "usr/lib64",
            "/lib64",
            "--symlink",
            "usr/bin",
            "/bin",
            "--symlink",
            "usr/sbin",
            "/sbin",
            "--proc",
            "/proc",
            "--dev",
            "/dev",
            "--tmpfs",
            "/tmp",
        ]
        for folder in self.read_only:
            argv += ["--ro-bind", str(folder), str(folder)]
        argv += ["--bind", str(self.root), str(self.root)]
        argv += ["--chdir", str(cwd), "--clearenv"]
        for name, value in env.items():
            argv += ["--setenv", name, value]
        return argv + ["--"]


# What the sandbox may learn of the worker's own package-manager set-up: where the registry is and how
# to trust it, and where Node's headers are (native modules compile against them). Never its tokens.
NPM_KEYS = ("registry", "nodedir", "cafile", "strict-ssl", "omit-lockfile-registry-resolved")
FORWARDED_ENV = ("NODE_EXTRA_CA_CERTS", "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_CERT", "SSL_CERT_FILE")


def forwarded_settings() -> dict[str, str]:
    """The worker's registry settings (NPM_KEYS from its ~/.npmrc and npm_config_* variables, and
    FORWARDED_ENV), as environment variables for a sandboxed command."""
    found: dict[str, str] = {}
    try:
        lines = (Path.home() / ".npmrc").read_text().splitlines()
    except OSError:
        lines = []
    for line in lines:
        key, _, value = line.partition("=")
        if key.strip() in NPM_KEYS and value.strip():
            found[f"npm_config_{key.strip().replace('-', '_')}"] = value.strip()
    for key in NPM_KEYS:
        name = f"npm_config_{key.replace('-', '_')}"
        if os.environ.get(name):
            found[name] = os.environ[name]
    return found | {name: os.environ[name] for name in FORWARDED_ENV if os.environ.get(name)}


def sandbox(root: Path, *, allow_unsandboxed: bool, kind: str) -> Sandbox:
    """The sandbox this worker can offer for the folder `root` (given to the sandbox's user). `kind` is the VERIFY_SANDBOX setting: "bwrap" (isolation
    required, unless `allow_unsandboxed`) or "none". SandboxUnavailable says why there is none."""
    if kind == "none":
        if allow_unsandboxed:
            return Sandbox("none", root)
        raise SandboxUnavailable("VERIFY_SANDBOX is none, and this code may not run without a sandbox.")
    if kind != "bwrap":
        raise SandboxUnavailable(f"VERIFY_SANDBOX={kind!r} is not a sandbox this worker knows (bwrap or none).")
    made = Sandbox("bwrap", root)
    made.give(root)  # the root's own folder first: the probe below is made inside it
    problem = bwrap_problem(root)
    if problem is None:
        return made
    if allow_unsandboxed:
        return Sandbox("none", root)
    raise SandboxUnavailable(problem)


def bwrap_problem(inside: Path | None = None) -> str | None:
    """Why bubblewrap cannot isolate a command on this worker (in a folder made `inside` the given
    one, whose parents the sandbox's user must be able to pass through), or None when it can."""
    if shutil.which("bwrap") is None:
        return "bubblewrap is not installed on this worker (Debian: apt-get install bubblewrap)."
    with tempfile.TemporaryDirectory(prefix="autodevos-sandbox-probe-", dir=inside) as folder:
        probe = Sandbox("bwrap", Path(folder))
        probe.give(Path(folder))
        outcome = probe.run("true", Path(folder), limits=Limits(wall_s=20))
    if not outcome.ok:
        return f"bubblewrap cannot start a sandbox on this worker: {outcome.output.strip()[-300:] or 'no output'}"
    return None


def _supervise(
    argv: Sequence[str], cwd: Path, env: dict[str, str], limits: Limits, uid: int | None, checkpoint: Callable[[], None]
) -> Outcome:
    """Run `argv` with the limits, as `uid` when given (the worker is root), and wait for it while
    calling `checkpoint` every half second; at the wall-time limit, or when the checkpoint raises,
    the whole process group is killed."""

    def limit() -> None:
        for name, value in (
            (resource.RLIMIT_CPU, limits.cpu_s),
            (resource.RLIMIT_DATA, limits.memory_bytes),
            (resource.RLIMIT_FSIZE, limits.file_bytes),
            (resource.RLIMIT_CORE, 0),
        ):
            resource.setrlimit(name, (value, value))
        if uid is not None and os.geteuid() == 0:
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
            # Counted per real user: effective only once this process is the sandbox's own user.
            resource.setrlimit(resource.RLIMIT_NPROC, (limits.processes, limits.processes))

    started = time.monotonic()
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            list(argv),
            cwd=cwd,
            env=env or None,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=limit,
            start_new_session=True,
        )
        timed_out = stopped = False
        while True:
            try:
                process.wait(timeout=0.5)
                break
            except subprocess.TimeoutExpired:
                pass
            if time.monotonic() - started > limits.wall_s:
                timed_out = True
            else:
                try:
                    checkpoint()
                    continue
                except Exception:
                    stopped = True
            _kill_group(process)
            break
        _kill_group(process)  # anything the command left behind in its group
        duration = time.monotonic() - started
        log.seek(0, os.SEEK_END)
        log.seek(max(0, log.tell() - OUTPUT_TAIL_CHARS * 4))
        output = log.read().decode("utf-8", "replace")[-OUTPUT_TAIL_CHARS:]
    if timed_out:
        output += f"\n[killed: the {limits.wall_s:.0f} s time limit was reached]"
    exit_code = None if (timed_out or stopped) else process.returncode
    return Outcome(exit_code=exit_code, output=output, duration_s=duration, timed_out=timed_out, stopped=stopped)


def _kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    process.wait()
