"""The command on a Dask cluster (``--scheduler``): one render's connection, or a batch's one
connection with the bands of the next jobs submitted while a job is written."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from .options import Options

_SESSION: ContextVar[Session | None] = ContextVar("nb_render_cluster_session", default=None)


@dataclass
class Session:
    """A batch's connection to the cluster, and the bands submitted ahead for its jobs."""

    client: Any
    streams: dict[int, Any] = field(default_factory=dict)  # id(job's plan) -> scale.BandStream

    def prefetch(self, jobs: Sequence[Any]) -> None:
        """Submit bands of ``jobs`` (prepared runs, the current one first), in order, until the
        cluster holds as many as the window allows: its workers never wait between jobs."""
        from ..scale import BandStream

        window = 2 * (sum(self.client.nthreads().values()) or 1) + 2
        pending = sum(s.pending for s in self.streams.values())
        for job in jobs:
            if pending >= window:
                return
            opts, plan = job.opts, job.plan
            if plan is None or job.fmt is None or plan.source is not None or opts.scheduler is None:
                continue  # an animation, a Zarr store or a recolouring: run on its own
            stream = self.streams.get(id(plan))
            if stream is None:
                stream = BandStream(
                    self.client,
                    plan.scene,
                    plan.style,
                    threads=opts.threads or 1,
                    kernel=opts.kernel,
                    data=opts.save_data is not None,
                    shares=opts.stats or opts.stats_json,
                )
                self.streams[id(plan)] = stream
            before = stream.pending
            stream.submit(stream.taken + stream.pending + (window - pending))
            pending += stream.pending - before

    def cancel(self) -> None:
        for stream in self.streams.values():
            stream.cancel()


@contextlib.contextmanager
def batch_session(address: str | None) -> Iterator[Session | None]:
    """One connection for all the jobs of a batch (None without ``--scheduler``)."""
    if address is None:
        yield None
        return
    from ..scale import connect

    session = Session(connect(address.strip()))
    token = _SESSION.set(session)
    try:
        yield session
    except BaseException:
        session.cancel()
        raise
    finally:
        _SESSION.reset(token)
        close(session.client)


def on_cluster(opts: Options, plan: Any, fmt: Any, progress: Any) -> dict[str, Any]:
    """The render on the Dask cluster at ``--scheduler``: a .zarr written by the workers, or an
    image whose bands the workers render and this process writes."""
    from ..scale import connect, render_to_file_on, render_to_zarr_on
    from ..stores import ZARR_FIELDS

    assert opts.scheduler is not None
    assert opts.output is not None
    session = _SESSION.get()
    client = session.client if session is not None else connect(opts.scheduler.strip())
    try:
        if fmt is None:
            return render_to_zarr_on(
                client,
                opts.output,
                plan.scene,
                plan.style,
                fields=opts.zarr_fields() or ZARR_FIELDS,
                chunks=opts.chunks,
                threads=opts.threads or 1,
                kernel=opts.kernel,
                progress=progress,
                stats=opts.stats or opts.stats_json,
            )
        return render_to_file_on(
            client,
            opts.output,
            plan.scene,
            plan.style,
            format=fmt.name,
            quality=opts.quality,
            lossless=opts.lossless,
            threads=opts.threads or 1,
            kernel=opts.kernel,
            progress=progress,
            save_data=opts.save_data,
            stats=opts.stats or opts.stats_json,
            stream=session.streams.pop(id(plan), None) if session is not None else None,
        )
    finally:
        if session is None:
            close(client)


def close(client: Any) -> None:
    with contextlib.suppress(Exception):
        client.close(timeout=2)
