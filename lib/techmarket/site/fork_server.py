"""The kernel fork server: an interpreter launched as the kernel would be, which imports ipykernel
and every module the notebooks import, then forks one kernel per request, each running
``ipykernel_launcher`` with the connection file, arguments, environment and working directory it
was asked for. ``python -m techmarket.site.fork_server`` runs it; :mod:`techmarket.site.kernel_fork`
starts it and asks it for kernels. Also which modules to preload (:func:`notebook_imports`).
"""
from __future__ import annotations

import argparse
import ast
import contextlib
import importlib
import importlib.util
import json
import os
import select
import signal
import socket
import sys
import traceback
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
    kernels: set[int] = set()
    while True:
        ready, _, _ = select.select([listener, sys.stdin], [], [])
        if sys.stdin in ready:
            _stop_kernels(kernels)
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
            kernels.add(pid)
            stream.write(json.dumps({"pid": pid}).encode() + b"\n")
            stream.flush()


def _stop_kernels(pids: set[int]) -> None:
    """Kill the kernels this server forked that are still running when the build ends (after an
    interrupted build; a finished build has shut every kernel down). A pid counts only while the
    process is still this server's child (Linux's /proc tells), so a reused pid is never hit."""
    for pid in pids:
        try:
            ppid = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue  # gone (or no /proc here)
        if ppid == os.getpid():
            with contextlib.suppress(OSError):
                os.killpg(pid, signal.SIGKILL)  # the kernel leads its own session and group


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Fork server for notebook kernels (started by the build).")
    parser.add_argument("--fd", type=int, required=True, help="listening Unix socket, inherited")
    parser.add_argument("--preload", default="", help="comma-separated modules to import before forking")
    args = parser.parse_args(argv)
    listener = socket.socket(fileno=args.fd)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the build's to handle: it stops this server
    try:
        serve(listener, [m for m in args.preload.split(",") if m])
    except KeyboardInterrupt:  # Ctrl-C on the build: its kernels are stopped by their managers
        pass


if __name__ == "__main__":
    main()
