"""The client's side of a Dask cluster: importing Dask (or naming the extra), connecting to a
scheduler, collecting results, and turning the cluster's failures into one-line errors.

Dask is imported only here and in ``nbcli.scale``, only when used.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from types import ModuleType
from typing import Any

from ._version import __version__
from .errors import ClusterError, MissingExtra, ParameterError

__all__ = [
    "CONNECT_TIMEOUT",
    "cancel",
    "connect",
    "gather",
    "require_dask",
    "require_distributed",
    "result",
]

EXTRA_HINT = "pip install 'nb-render[dask]'"
CONNECT_TIMEOUT = 10.0  # seconds to reach a scheduler, unless Dask's own setting is given in the environment
TIMEOUT_VARIABLE = "DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT"


def require_dask() -> ModuleType:
    """dask (with dask.array), or a one-line error naming the extra."""
    try:
        import dask
        import dask.array
    except ImportError:
        raise MissingExtra(
            f"rendering with Dask needs dask[array], distributed and zarr: {EXTRA_HINT}"
        ) from None
    return dask


def require_distributed() -> ModuleType:
    require_dask()
    try:
        import distributed
    except ImportError:
        raise MissingExtra(f"a Dask cluster needs distributed: {EXTRA_HINT}") from None
    return distributed


def connect(address: str, timeout: float | str | None = None) -> Any:
    """A ``distributed.Client`` of the scheduler at ``address`` (or of a scheduler file, *.json);
    ClusterError in one line if it cannot be reached or its workers run another nb-render.
    ``timeout``: default 10 s, or Dask's connect timeout if set in the environment."""
    distributed = require_distributed()
    if timeout is None:
        timeout = os.environ.get(TIMEOUT_VARIABLE) or CONNECT_TIMEOUT
    import logging

    for name in ["distributed", *logging.root.manager.loggerDict]:  # failures are reported in one line
        if name.startswith("distributed"):
            logging.getLogger(name).setLevel(logging.CRITICAL)
    try:
        if address.endswith(".json"):
            if not os.path.isfile(address):
                raise ParameterError(f"scheduler file {address} does not exist")
            client = distributed.Client(scheduler_file=address, timeout=timeout, set_as_default=False)
        else:
            client = distributed.Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError) as e:
        raise ClusterError(f"cannot reach the Dask scheduler at {address}: {_one_line(e)}") from None
    except ValueError as e:
        if isinstance(e, ParameterError):
            raise
        raise ParameterError(f"--scheduler {address!r}: {_one_line(e)}") from None
    try:
        versions = client.run(_version)
    except Exception:  # noqa: BLE001 - no worker yet, or one that cannot run: found when tasks run
        versions = {}
    other = {w: v for w, v in versions.items() if v != __version__}
    if other:
        client.close()
        w, v = next(iter(other.items()))
        raise ClusterError(
            f"Dask worker {w} has nb-render {v}, this is {__version__}: install the same version on every worker"
        )
    return client


def _one_line(e: BaseException) -> str:
    return " ".join(str(e).split()) or type(e).__name__


def gather(client: Any, futures: list[Any]) -> Iterator[tuple[Any, Any]]:
    """(future, result) as tasks finish; on any failure or Ctrl-C the cluster's tasks are cancelled."""
    distributed = require_distributed()
    try:
        for fut in distributed.as_completed(futures, loop=client.loop):
            yield fut, result(fut)
    except BaseException:
        cancel(client, futures)
        raise


def result(fut: Any) -> Any:
    import asyncio

    distributed = require_distributed()
    lost = "lost the connection to the Dask scheduler during the render; is it still running?"
    try:
        return fut.result()
    except (distributed.client.FutureCancelledError, asyncio.CancelledError) as e:
        if "connection" in str(e):
            raise ClusterError(lost) from None
        raise ClusterError(f"the Dask cluster cancelled the render ({_one_line(e)})") from None
    except distributed.KilledWorker as e:
        raise ClusterError(
            f"a task of the render killed its Dask workers repeatedly: {_one_line(e)}"
        ) from None
    except (OSError, TimeoutError):
        raise ClusterError(lost) from None


def cancel(client: Any, futures: list[Any]) -> None:
    import contextlib

    with contextlib.suppress(Exception):  # the scheduler may be gone already: nothing left to cancel
        client.cancel(futures, force=True)


def _version() -> str:
    """Task: the worker's nb-render version."""
    return __version__
