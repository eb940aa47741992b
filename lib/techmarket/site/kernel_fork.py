"""Start notebook kernels by forking a warm process instead of launching a fresh interpreter.

Every kernel of a build imports the same heavy libraries (pandas, matplotlib, statsmodels, ...),
which costs more than most notebooks' own work. A *fork server* is launched once per build,
exactly as the kernel would be (the kernel spec's interpreter and flags, its environment, the
notebooks' folder as working directory); it imports ipykernel and the modules the notebooks
import, then waits. Each kernel is a fork of it that runs ``ipykernel_launcher`` with the
connection file, arguments, environment and working directory jupyter_client asked for, so
the kernel is what ``python -m ipykernel_launcher`` would give, with those imports done.

- :class:`ForkServer` starts and stops the server (a context manager);
- :func:`kernel_manager_for` gives a jupyter_client kernel manager class (for papermill /
  nbclient's ``kernel_manager_class``) whose kernels come from the server, falling back to an
  ordinary launch when the server cannot serve the request (another interpreter, another
  working directory, the server gone);
- ``python -m techmarket.site.fork_server`` is the server itself (:mod:`techmarket.site.fork_server`).

Nothing the notebooks compute is shared: each kernel is its own process, forked from a server
that has imported modules and run nothing else. Two things differ from a fresh interpreter and
cannot matter to a deterministic notebook: modules are already imported, and the kernels share
the server's string-hash seed (``PYTHONHASHSEED``); random generators are reseeded per kernel.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from techmarket.site.fork_server import LAUNCHER, split_command


@dataclass(frozen=True)
class ServerInfo:
    """What a kernel manager needs to ask the server for a kernel (picklable)."""

    address: str
    interpreter: tuple[str, ...]
    cwd: str
    pid: int


class ForkServer:
    """The fork server for one kernel spec and working directory, as a context manager.

    ``with ForkServer("techmarket", cwd, modules) as info:`` — requests can be sent at once; they
    are answered when the server has finished importing.
    """

    def __init__(self, kernel_name: str, cwd: Path, modules: list[str]):
        from jupyter_client.kernelspec import KernelSpecManager

        spec = KernelSpecManager().get_kernel_spec(kernel_name)
        split = split_command(spec.argv)
        if split is None:
            raise ValueError(f"kernel {kernel_name!r} is not started with -m {LAUNCHER}: {spec.argv}")
        self.interpreter = split[0]
        self.env = {**os.environ, **spec.env}
        self.cwd = Path(cwd)
        self.modules = modules
        self._dir: tempfile.TemporaryDirectory | None = None
        self._proc: subprocess.Popen | None = None

    def __enter__(self) -> ServerInfo:
        self._dir = tempfile.TemporaryDirectory(prefix="tm-kernels-")  # 0700: only this user connects
        address = os.path.join(self._dir.name, "fork.sock")
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(address)
        listener.listen(64)
        try:
            self._proc = subprocess.Popen(
                [*self.interpreter, "-m", "techmarket.site.fork_server", "--fd", str(listener.fileno()),
                 "--preload", ",".join(self.modules)],
                cwd=self.cwd, env=self.env, stdin=subprocess.PIPE, pass_fds=[listener.fileno()])
        finally:
            listener.close()
        return ServerInfo(address, tuple(self.interpreter), str(self.cwd), self._proc.pid)

    def __exit__(self, *exc) -> None:
        if self._proc is not None:
            self._proc.stdin.close()  # the server's signal to stop
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        if self._dir is not None:
            self._dir.cleanup()


def request_kernel(server: ServerInfo, args: list[str], env: dict[str, str], cwd: str,
                   timeout: float = 60.0) -> int:
    """Ask the server for a kernel; return its process id. An ``OSError`` (``TimeoutError`` after
    ``timeout`` seconds, jupyter's default kernel start-up timeout) when it does not answer."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        sock.connect(server.address)
        with sock.makefile("rwb") as stream:
            stream.write(json.dumps({"args": args, "env": env, "cwd": cwd}).encode() + b"\n")
            stream.flush()
            reply = stream.readline()
    if not reply:
        raise ConnectionError(f"the kernel fork server (pid {server.pid}) closed the connection")
    return int(json.loads(reply)["pid"])


class ForkedKernel:
    """A ``Popen``-like handle on a kernel forked by the server (which reaps it, so its exit
    status is not known here: ``poll`` gives 0 once the process has gone)."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                self.returncode = 0
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(str(self.pid), timeout)
            time.sleep(0.02)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


def kernel_manager_for(server: ServerInfo, blocking: bool = False):
    """An ``AsyncKernelManager`` class (a blocking ``KernelManager`` with ``blocking``, as nbval
    uses) whose kernels are forked by ``server``."""
    from jupyter_client import AsyncKernelManager, KernelManager
    from jupyter_client.provisioning import LocalProvisioner
    from traitlets import Unicode

    class ForkingProvisioner(LocalProvisioner):
        async def launch_kernel(self, cmd: list[str], **kwargs):
            split = split_command(cmd)
            cwd = str(kwargs.get("cwd") or Path.cwd())
            if split is None or tuple(split[0]) != server.interpreter or Path(cwd) != Path(server.cwd):
                return await super().launch_kernel(cmd, **kwargs)
            try:
                env = {**(kwargs.get("env") or os.environ), "JPY_PARENT_PID": str(os.getpid())}  # as launch_kernel
                pid = request_kernel(server, split[1], env, cwd)
            except OSError as err:
                self.log.warning("kernel fork server unavailable (%s); launching the kernel normally", err)
                return await super().launch_kernel(cmd, **kwargs)
            self.process = ForkedKernel(pid)
            self.pid = self.pgid = pid  # the kernel leads its own session and process group
            self.cwd = cwd
            return self.connection_info

    class ForkingKernelManager(KernelManager if blocking else AsyncKernelManager):
        transport = Unicode("ipc")  # local sockets: no TCP ports, nothing to encrypt

        async def _async_pre_start_kernel(self, **kw):
            self.kernel_id = self.kernel_id or kw.pop("kernel_id", str(uuid.uuid4()))
            if not os.path.isabs(self.ip):  # kernel and manager work in different folders
                self.ip = os.path.join(tempfile.gettempdir(), f"kernel-{self.kernel_id}-ipc")
            if self.provisioner is None:
                self.provisioner = ForkingProvisioner(kernel_id=self.kernel_id, kernel_spec=self.kernel_spec,
                                                      parent=self)
            return await super()._async_pre_start_kernel(**kw)

    return ForkingKernelManager

