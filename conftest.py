"""pytest plumbing for the whole suite, loaded whatever paths are given (tests/, notebooks/, one
notebook): the --fresh-build option, one xdist worker per notebook, and nbval's kernels forked
from a warm server. The tests' fixtures are in tests/conftest.py."""
from __future__ import annotations

import pytest

from techmarket.data.paths import PROJ_ROOT


# --- built reports and kernels, shared by the tests that need them --------------------------
# The suite runs on every core (pytest-xdist). A notebook's cells must run in one kernel, so
# nbval's items of one notebook go to one worker; tests that need built reports share one build,
# made once under a file lock (a no-op when the reports are current).
def pytest_addoption(parser):
    parser.addoption("--fresh-build", action="store_true",
                     help="build the reports into a scratch copy of the project instead of bringing reports/ "
                          "up to date (for checking outputs under another BLAS kernel or font set-up)")


class _NbvalKernels:
    """nbval's kernels, forked from a fork server of this test process (started at the first
    notebook): each notebook still runs in a kernel of its own, without paying the imports again.
    tests/test_kernel_fork.py and test_notebooks.py compare forked with ordinary kernels."""

    server = None

    @classmethod
    def manager(cls, **kwargs):
        from techmarket.site.fork_server import notebook_imports
        from techmarket.site.kernel_fork import ForkServer, kernel_manager_for
        from techmarket.site.plan import KERNEL, notebooks

        if kwargs.get("kernel_name") != KERNEL:
            from jupyter_client import KernelManager

            return KernelManager(**kwargs)
        if cls.server is None:
            cls._context = ForkServer(KERNEL, PROJ_ROOT / "notebooks", notebook_imports(notebooks()))
            cls.server = cls._context.__enter__()
        return kernel_manager_for(cls.server, blocking=True)(**kwargs)

    @classmethod
    def stop(cls):
        if cls.server is not None:
            cls._context.__exit__(None, None, None)
            cls.server = None


def pytest_configure(config):
    import nbval.kernel

    nbval.kernel.KernelManager = _NbvalKernels.manager  # the name nbval's start_new_kernel calls


def pytest_unconfigure(config):
    _NbvalKernels.stop()


@pytest.hookimpl(wrapper=True)  # around every other implementation: the groups are set before xdist reads them
def pytest_collection_modifyitems(items):
    for item in items:
        if item.nodeid.startswith("notebooks/"):
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::")[0]))
    return (yield)


