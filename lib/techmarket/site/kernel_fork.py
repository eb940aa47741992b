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
- ``python -m techmarket.site.kernel_fork`` is the server itself.

Nothing the notebooks compute is shared: each kernel is its own process, forked from a server
that has imported modules and run nothing else. Two things differ from a fresh interpreter and
cannot matter to a deterministic notebook: modules are already imported, and the kernels share
the server's string-hash seed (``PYTHONHASHSEED``); random generators are reseeded per kernel.
"""
from __future__ import annotations

import argparse
import ast
import importlib
import importlib.util
import json
import os
import select
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
import uuid
from dataclasses import dataclass
from pathlib import Path

LAUNCHER = "ipykernel_launcher"
# Modules whose import reacts to a running IPython shell: importing them before the kernel exists
# would change what the kernel does (matplotlib_inline registers its figure hook on import).
NOT_PRELOADED = ("matplotlib_inline", "ipykernel", "IPython")


# --- what to preload --------------------------------------------------------------------------
def notebook_imports(notebooks: list[Path]) -> list[str]:
    """Absolute modules imported by the notebooks' code cells (cells that are not plain Python,
    such as magics, are skipped), in sorted order."""
    found: set[str] = set()
    for path in notebooks:
        for cell in json.loads(Path(path).read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] != "code":
                continue
            src = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            try:
                tree = ast.parse(src)
            except SyntaxError:
                continue
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    found |= {alias.name for alias in node.names}
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    found.add(node.module)
    return sorted(m for m in found if m.split(".")[0] not in NOT_PRELOADED)


def split_command(cmd: list[str]) -> tuple[list[str], list[str]] | None:
    """``[python, *flags, "-m", "ipykernel_launcher", *args]`` → (``[python, *flags]``, args);
    None for any other kernel command."""
    for i in range(1, len(cmd) - 1):
        if cmd[i] == "-m" and cmd[i + 1] == LAUNCHER:
            return cmd[:i], cmd[i + 2:]
    return None


# --- the server (runs in its own interpreter) ---------------------------------------------------
def _preload(modules: list[str]) -> None:
    """Import ipykernel as ipykernel_launcher would (without the working directory on the path),
    then the notebooks' modules as the kernel's user code would (with it)."""
    # as ipykernel does before it imports matplotlib (it is read when matplotlib is imported)
    if not os.environ.get("MPLBACKEND"):
        os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    cwd_entry = None
    if sys.path and (sys.path[0] == "" or Path(sys.path[0]) == Path.cwd()):
        cwd_entry = sys.path.pop(0)
    for name in ("ipykernel.kernelapp", "ipykernel.ipkernel"):  # the app, and the kernel it creates
        importlib.import_module(name)
    if cwd_entry is not None:
        sys.path.insert(0, cwd_entry)  # put back: the forked launcher removes it again
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - the notebook meets the same error itself, in its kernel
            pass


def _run_kernel(request: dict) -> int:
    """In the forked child: become the kernel jupyter_client asked for."""
    os.setsid()  # its own session, as jupyter_client launches kernels
    for sig in (signal.SIGCHLD, signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_DFL)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    # Python's own ``random`` reseeds itself in a forked child; NumPy's global generator does not:
    # draw its seed afresh, as importing NumPy in a new process would
    if "numpy.random" in sys.modules:
        sys.modules["numpy.random"].seed()
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    sys.argv = [importlib.util.find_spec(LAUNCHER).origin, *request["args"]]
    # what ``python -m ipykernel_launcher`` does: drop the working directory from the path, launch
    if sys.path and (sys.path[0] == "" or Path(sys.path[0]) == Path.cwd()):
        del sys.path[0]
    from ipykernel.kernelapp import IPKernelApp

    try:
        # ipykernel reads these two variables when it is imported, which the server did with its own
        # environment: give the values of the kernel's
        IPKernelApp.launch_instance(parent_handle=int(os.environ.get("JPY_PARENT_PID") or 0),
                                    interrupt=int(os.environ.get("JPY_INTERRUPT_EVENT") or 0))
    except SystemExit as stop:
        return stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    except BaseException:  # noqa: BLE001
        traceback.print_exc()
        return 1
    return 0


def _well_formed(request) -> bool:
    """``{"args": [str, ...], "env": {str: str}, "cwd": str}``."""
    return (isinstance(request, dict) and isinstance(request.get("cwd"), str)
            and isinstance(request.get("args"), list) and all(isinstance(a, str) for a in request["args"])
            and isinstance(request.get("env"), dict)
            and all(isinstance(k, str) and isinstance(v, str) for k, v in request["env"].items()))


def serve(listener: socket.socket, modules: list[str]) -> None:
    """Preload, then fork one kernel per request until standard input closes (the build ended)."""
    _preload(modules)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # kernels are reaped as they exit
    while True:
        ready, _, _ = select.select([listener, sys.stdin], [], [])
        if sys.stdin in ready:
            return
        conn, _ = listener.accept()
        with conn, conn.makefile("rwb") as stream:
            try:
                request = json.loads(stream.readline())
            except ValueError:
                request = None
            if not _well_formed(request):
                continue  # closing the connection unanswered: the client launches its kernel itself
            pid = os.fork()
            if pid == 0:
                listener.close()
                conn.close()
                code = 1
                try:
                    code = _run_kernel(request)
                finally:
                    sys.stdout.flush()
                    sys.stderr.flush()
                    os._exit(code)
            stream.write(json.dumps({"pid": pid}).encode() + b"\n")
            stream.flush()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Fork server for notebook kernels (started by the build).")
    parser.add_argument("--fd", type=int, required=True, help="listening Unix socket, inherited")
    parser.add_argument("--preload", default="", help="comma-separated modules to import before forking")
    args = parser.parse_args(argv)
    listener = socket.socket(fileno=args.fd)
    try:
        serve(listener, [m for m in args.preload.split(",") if m])
    except KeyboardInterrupt:  # Ctrl-C on the build: its kernels are stopped by their managers
        pass


# --- the build's side -------------------------------------------------------------------------
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
                [*self.interpreter, "-m", "techmarket.site.kernel_fork", "--fd", str(listener.fileno()),
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


if __name__ == "__main__":
    main()
