"""Processes that end with their parent: Linux's parent-death signal, a no-op elsewhere.

The kernel sends the signal when the *thread* that started the process ends, so a child
must be started by a thread that outlives it (`run_tool` waits for its child; a guarded
batch worker belongs to the thread that drives it).
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from collections.abc import Callable

PR_SET_PDEATHSIG = 1


def _load_prctl() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


_PRCTL = _load_prctl()


def die_with_parent(parent: int, sig: int = signal.SIGKILL) -> None:
    """Have the kernel send `sig` to this process when its parent ends; send it at once when
    `parent` (the pid the parent had) is already gone, having ended before the request took."""
    if _PRCTL is None:
        return
    _PRCTL(PR_SET_PDEATHSIG, int(sig), 0, 0, 0)
    if os.getppid() != parent:
        os.kill(os.getpid(), sig)


def guard_group() -> None:
    """Fork a guardian that SIGKILLs this process group as soon as this process ends, however
    it ends (killed with its parent, by the OOM killer, or done): the programs it started die
    with it even though it leads its own session. Only for a group leader, so a caller's
    group is never touched. The guardian waits in `sigwait`, free of this process's GIL."""
    if _PRCTL is None or os.getpgrp() != os.getpid():
        return
    leader = os.getpid()
    if os.fork():
        return
    try:
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):  # hold no pipe of the leader's caller open
            os.dup2(null, fd)
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
        die_with_parent(leader, signal.SIGTERM)
        signal.sigwait({signal.SIGTERM})
        os.killpg(0, signal.SIGKILL)  # this guardian too
    finally:
        os._exit(0)  # never back into the leader's code
