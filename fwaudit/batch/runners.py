"""Where the images are audited: a local pool of guarded workers, or a Dask cluster.

Both hand every finished `JobOutput` to `on_output` in the calling thread, in completion
order, so only the batch's own process writes the output folder. Dask is imported here
only, and only when asked for (the `fwaudit[dask]` extra).
"""

from __future__ import annotations

import queue
import threading
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path

from .guard import GuardedWorker
from .worker import JobOutput, Task, failed

OnOutput = Callable[[Task, JobOutput], None]


def run_local(
    tasks: Sequence[Task], *, workers: int, on_output: OnOutput, logs: Path | None = None
) -> None:
    """Audit `tasks` on `workers` guarded worker processes of this machine."""
    todo: queue.SimpleQueue[Task] = queue.SimpleQueue()
    for task in tasks:
        todo.put(task)
    done: queue.SimpleQueue[tuple[Task, JobOutput]] = queue.SimpleQueue()
    stopping = threading.Event()
    guards = [
        GuardedWorker(log=logs / f"worker-{n}.log" if logs else None)
        for n in range(min(workers, len(tasks)))
    ]

    def drive(guard: GuardedWorker) -> None:
        while not stopping.is_set():
            try:
                task = todo.get_nowait()
            except queue.Empty:
                return
            try:
                output = guard.run(task)
            except Exception as exc:  # the guard's own failure is still one image's row
                output = failed(task, "internal", f"{type(exc).__name__}: {exc}")
            done.put((task, output))

    threads = [threading.Thread(target=drive, args=(g,), daemon=True) for g in guards]
    for thread in threads:
        thread.start()
    try:
        for _ in tasks:
            while True:
                try:
                    task, output = done.get(timeout=0.5)
                    break
                except queue.Empty:
                    continue
            on_output(task, output)
    finally:
        stopping.set()
        for guard in guards:
            guard.stop()


_GUARDS = threading.local()


def audit_on_dask_worker(task: Task) -> JobOutput:
    """The Dask task: audit under a guarded worker process kept per worker thread, so
    rules stay warm across tasks and a hanging image cannot wedge the Dask worker."""
    guard = getattr(_GUARDS, "worker", None)
    if guard is None:
        guard = _GUARDS.worker = GuardedWorker()
    return guard.run(task)


def run_dask(tasks: Sequence[Task], *, address: str, workers: int, on_output: OnOutput) -> None:
    """Audit `tasks` on Dask: ``local`` starts a LocalCluster of `workers` single-threaded
    workers, anything else is a scheduler address (``tcp://host:8786``).

    Every Dask worker thread hands its image to a guarded worker process of its own, so the
    local cluster's workers live in this process (``processes=False``): a process per Dask
    worker would only add a hop and a second interpreter start before the first image."""
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError as exc:
        from ..errors import ConfigError

        raise ConfigError("Dask is not installed: pip install 'fwaudit[dask]'") from exc
    cluster = None
    if address == "local":
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=False,
            dashboard_address=None,
            silence_logs=40,
        )
        client = Client(cluster)
    else:
        client = Client(address)
    run = uuid.uuid4().hex[:8]
    try:
        futures = {
            client.submit(
                audit_on_dask_worker,
                task,
                key=f"fwaudit-{run}-{n}-{task.sha256[:12]}",
                pure=False,
                priority=len(tasks) - n,
            ): task
            for n, task in enumerate(tasks)
        }
        for future in as_completed(futures):
            task = futures.pop(future)
            try:
                output = future.result()
            except Exception as exc:  # a lost Dask worker or task is this image's row
                output = failed(task, "worker-died", f"Dask: {type(exc).__name__}: {exc}")
            on_output(task, output)
            future.release()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
