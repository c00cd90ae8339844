"""A province's build on PostgreSQL, spread over worker processes.

Pricing a million people is Python work that one process does at one core's speed; the
people are split into ranges of beneficiary ids, and each range is priced by its own process
(`build.line_rows`, the same code as a build in one process). The workers read in the build's
own snapshot (`pg_export_snapshot`), so they see exactly what the build's transaction sees,
and hand their lines back as COPY data; only the build's connection writes, inside its
transaction, so that an interrupted build still leaves the previous draft whole.

Workers are started with "spawn", not "fork": a forked child would share the parent's open
database connection, and closing it there would end the parent's session.
"""

import io
import multiprocessing
import pickle
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any, cast

from django.db import connection, transaction
from psycopg.copy import Copy, FileWriter

from asxh.beneficiaries.models import Beneficiary
from asxh.core.bulk import whole_table_reads
from asxh.cycles import build, worker

# Below this many people, starting processes costs more than it saves.
PARALLEL_FROM = 50_000


def worth_it(ctx: build.Context, workers: int) -> bool:
    return (
        workers > 1
        and connection.vendor == "postgresql"
        and Beneficiary.objects.filter(commune_id__in=ctx.commune_ids).count() >= PARALLEL_FROM
    )


def parts(ctx: build.Context, workers: int) -> list[build.Part]:
    """Id ranges with about the same number of the province's people each."""
    people = Beneficiary.objects.filter(commune_id__in=ctx.commune_ids).order_by("pk")
    count = people.count()
    bounds = [0]
    for k in range(1, workers):
        at = people.values_list("pk", flat=True)[k * count // workers : k * count // workers + 1]
        bounds += [first for first in at if first > bounds[-1]]
    ends = [start - 1 for start in bounds[1:]] + [build.NO_MORE]
    return list(zip(bounds, ends, strict=True))


@contextmanager
def workers_started(ctx: build.Context, workers: int) -> Iterator["Workers"]:
    """Start the processes (inside the build's transaction, before its COPY opens: they
    need its snapshot and ranges first); stop any still running on the way out."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
    spawn = multiprocessing.get_context("spawn")
    job = pickle.dumps((ctx, dict(connection.settings_dict), snapshot))
    started = Workers([], [])
    try:
        for part in parts(ctx, workers):
            ours, theirs = spawn.Pipe(duplex=False)
            process = spawn.Process(target=worker.main, args=(job, part, theirs), daemon=True)
            process.start()
            theirs.close()
            started.pipes.append(ours)
            started.processes.append(process)
        yield started
    finally:
        for running in started.processes:
            if running.is_alive():
                running.terminate()
            running.join()


@dataclass
class Workers:
    pipes: list[Connection]
    processes: list[BaseProcess]

    def copy_data(self, tally: build.Tally) -> Iterator[bytes]:
        """The COPY data of every line as the workers send it; their tallies are added to
        `tally` once all have finished."""
        return _collect(self.pipes, tally)


def _collect(pipes: list[Connection], tally: build.Tally) -> Iterator[bytes]:
    waiting = set(pipes)
    while waiting:
        for ready in wait(list(waiting)):
            pipe = cast(Connection, ready)
            try:
                kind, payload = pipe.recv()
            except EOFError:
                raise RuntimeError("Một tiến trình lập danh sách dừng giữa chừng.") from None
            if kind == "lines":
                yield payload
            elif kind == "done":
                tally.merge(payload)
                waiting.discard(pipe)
            else:
                raise RuntimeError(f"Lập danh sách lỗi: {payload}")


def work(job: bytes, part: build.Part, pipe: Connection) -> None:
    """In the worker: price the people of `part` in the build's snapshot, send COPY data."""
    ctx, database, snapshot = _unpack(job)
    connection.settings_dict.update(database)
    try:
        tally = build.Tally()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SET TRANSACTION SNAPSHOT %s", [snapshot])
            whole_table_reads()  # as the build's own session (cycle_build)
            chunk = io.BytesIO()
            # A fresh cursor: Copy only needs its adapters, and checks it ran nothing yet.
            with Copy(connection.connection.cursor(), writer=FileWriter(chunk)) as copy:
                for n, row in enumerate(build.line_rows(ctx, tally, part), start=1):
                    copy.write_row(row)
                    if n % build.CHUNK == 0:
                        pipe.send(("lines", _take(chunk)))
            pipe.send(("lines", _take(chunk)))
        pipe.send(("done", tally))
    except Exception as error:  # reported to the build, which rolls back
        pipe.send(("error", f"{type(error).__name__}: {error}"))
    finally:
        pipe.close()


def _unpack(job: bytes) -> Any:
    return pickle.loads(job)  # noqa: S301 - our own bytes, from the parent process


def _take(chunk: io.BytesIO) -> bytes:
    data = chunk.getvalue()
    chunk.seek(0)
    chunk.truncate()
    return data
