"""Where each answer of the read endpoints comes from.

The polled answers (a processing summary, a job's progress) are served, in this order, from the
change-notification cache (PostgreSQL, while its listener is connected), the summary cache (while
the job's freshness token is unchanged), and otherwise built from the database: on PostgreSQL
through the asyncpg fast path where one exists, elsewhere through the generic SQLAlchemy queries.
Every other answer comes from the generic queries. Routes ask the reader and never make this choice.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from fintrace_pipeline.analytics.sampling import SamplingError, SamplingOptions
from fintrace_pipeline.api import entry_queries, fastpath, queries, review_queue
from fintrace_pipeline.api.change_feed import ChangeFeed, Key
from fintrace_pipeline.api.db import ApiDatabase
from fintrace_pipeline.api.errors import BadRequest, NotFound, unavailable_when_unreachable
from fintrace_pipeline.api.export_stream import export_body
from fintrace_pipeline.api.responses import success_body
from fintrace_pipeline.api.summary_cache import SummaryCache
from fintrace_pipeline.db.engine import get_engine, get_streaming_engine
from fintrace_pipeline.persistence import audit, history_views, sources, verdicts, views
from fintrace_pipeline.reports.build import report_bytes
from fintrace_pipeline.sample_file import NoSuchFile, sample_of_file

T = TypeVar("T")
# What builds an answer the change feed may keep: (data_file_id it belongs to, or None; the body).
Build = Callable[[], Awaitable[tuple[uuid.UUID | None, bytes]]]


def reader(request: Request) -> Reader:
    return request.app.state.reader


class Reader:
    """The read side over the app's database, summary cache and change feed (the app creates and closes them)."""

    def __init__(self, database: ApiDatabase, summary_cache: SummaryCache, change_feed: ChangeFeed | None):
        self.database = database
        self.summary_cache = summary_cache
        self.change_feed = change_feed  # PostgreSQL only

    # -- polled answers, as whole response bodies -------------------------------------------------

    async def processing_summary(self, file_id: uuid.UUID | None, job_id: uuid.UUID | None) -> bytes:
        """The ``processing_summary`` body of a file's job (see ``queries.resolve_job``) or of a job."""
        # A request naming both a file and a job is checked against the database every time.
        key = ("file", file_id) if job_id is None else ("job", job_id) if file_id is None else None
        return await self._through_change_feed(key, lambda: self._summary(file_id, job_id))

    async def progress(self, job_id: uuid.UUID) -> bytes:
        """The ``progress`` body of a job."""
        return await self._through_change_feed(("progress", job_id), lambda: self._progress(job_id))

    async def _through_change_feed(self, key: Key | None, build: Build) -> bytes:
        feed = self.change_feed if key is not None else None
        if feed is None:
            return (await build())[1]
        feed.ensure_started()
        body = feed.get(key)
        if body is not None:
            return body
        # Taken before reading: a change notified while the answer is built keeps it out of the cache.
        ticket = feed.ticket()
        data_file_id, body = await build()
        feed.store(ticket, key, data_file_id, body)
        return body

    async def _summary(self, file_id: uuid.UUID | None, job_id: uuid.UUID | None) -> tuple[uuid.UUID, bytes]:
        data_file_id, job_id, token = await self._job_state(file_id, job_id)
        body = self.summary_cache.get(job_id, token)
        if body is None:
            summary = await self.database.read(views.processing_summary, job_id)
            if summary is None:
                raise NotFound("no such processing job")
            body = success_body({"processing_summary": summary})
            self.summary_cache.put(job_id, token, body)
        return data_file_id, body

    async def _job_state(self, file_id: uuid.UUID | None, job_id: uuid.UUID | None) -> tuple:
        """(data_file_id, job_id, freshness token) of the job a request names."""
        if self.database.is_postgres:
            state = await self.database.on_driver(fastpath.job_state, file_id, job_id)
        else:
            state = await self.database.read(queries.job_state, file_id, job_id)
        if state is None:
            await self.database.read(queries.resolve_job, file_id, job_id)  # raises NotFound with the precise reason
            raise NotFound("no such processing job")
        return state

    async def _progress(self, job_id: uuid.UUID) -> tuple[None, bytes]:
        if self.database.is_postgres:
            # Serialised by PostgreSQL: spliced in as it comes, the most polled answer skips Python's encoder.
            progress = await self.database.on_driver(fastpath.progress_json, job_id)
            body = None if progress is None else f'{{"success":true,"progress":{progress}}}'.encode()
        else:
            progress = await self.database.read(views.progress_view, job_id)
            body = None if progress is None else success_body({"progress": progress})
        if body is None:
            raise NotFound("no such processing job")
        return None, body

    # -- answers about the job a request names ---------------------------------------------------

    async def _of_job(
        self, file_id: uuid.UUID | None, job_id: uuid.UUID | None, query: Callable[..., T], **options: Any
    ) -> tuple[uuid.UUID, uuid.UUID, T]:
        """(data_file_id, job_id, ``query(connection, data_file_id, job_id, **options)``) of the named job."""

        def resolved_query(connection) -> tuple[uuid.UUID, uuid.UUID, T]:
            data_file_id, resolved_job_id = queries.resolve_job(connection, file_id, job_id)
            return data_file_id, resolved_job_id, query(connection, data_file_id, resolved_job_id, **options)

        return await self.database.read(resolved_query)

    async def analytics_results(
        self, file_id: uuid.UUID | None, job_id: uuid.UUID | None, analytics_type: str | None
    ) -> tuple[uuid.UUID, uuid.UUID, list[dict[str, Any]]]:
        return await self._of_job(file_id, job_id, queries.analytics_results, analytics_type=analytics_type)

    async def ml_results(
        self, file_id: uuid.UUID | None, job_id: uuid.UUID | None, model_type: str | None
    ) -> tuple[uuid.UUID, uuid.UUID, list[dict[str, Any]]]:
        return await self._of_job(file_id, job_id, queries.ml_results, model_type=model_type)

    async def flagged_transactions(
        self, file_id: uuid.UUID | None, job_id: uuid.UUID | None, **filters: Any
    ) -> tuple[uuid.UUID, uuid.UUID, tuple[int, list[dict[str, Any]]]]:
        """(data_file_id, job_id, (total, page)); ``filters`` as ``queries.flagged_transactions`` takes them."""
        return await self._of_job(file_id, job_id, queries.flagged_transactions, **filters)

    async def flagged_entries(
        self, file_id: uuid.UUID | None, job_id: uuid.UUID | None, **filters: Any
    ) -> tuple[uuid.UUID, uuid.UUID, tuple[int, list[dict[str, Any]], str | None]]:
        """(data_file_id, job_id, (total, page, note)); ``filters`` as ``entry_queries.flagged_entries`` takes them."""
        return await self._of_job(file_id, job_id, entry_queries.flagged_entries, **filters)

    async def review_queue(
        self, file_id: uuid.UUID, job_id: uuid.UUID | None, **options: Any
    ) -> tuple[uuid.UUID, uuid.UUID, dict[str, Any]]:
        """(data_file_id, job_id, the queue); ``options`` as ``review_queue.review_queue`` takes them."""
        return await self._of_job(file_id, job_id, review_queue.review_queue, **options)

    async def export(
        self, what: str, file_format: str, file_id: uuid.UUID | None, job_id: uuid.UUID | None
    ) -> tuple[uuid.UUID, AsyncIterator[bytes] | bytes]:
        """(data_file_id, the download's body): an xlsx whole, a CSV as a stream (see ``export_stream``)."""
        data_file_id, job_id = await self.database.read(queries.resolve_job, file_id, job_id)
        # Read through a streaming cursor of the sync engine, in worker threads.
        engine = get_streaming_engine(self.database.url)
        with unavailable_when_unreachable():
            body = await export_body(engine, what, file_format, data_file_id, job_id)
        return data_file_id, body

    async def report(self, file_id: uuid.UUID | None, job_id: uuid.UUID | None, file_format: str) -> tuple:
        """(data_file_id, the report's bytes) of the named job, built like an export: through the sync
        engine (its sample reads with COPY on PostgreSQL), in a worker thread."""
        data_file_id, job_id = await self.database.read(queries.resolve_job, file_id, job_id)

        def build() -> bytes:
            with get_engine(self.database.url).connect() as connection:
                return report_bytes(connection, data_file_id, job_id, file_format)

        with unavailable_when_unreachable():
            return data_file_id, await run_in_threadpool(build)

    # -- the rest ----------------------------------------------------------------------------------

    async def files(
        self, limit: int, offset: int, status: str | None, source: str | None = None, search: str | None = None
    ) -> tuple[int, list[dict[str, Any]]]:
        return await self.database.read(queries.list_files, limit, offset, status, source, search)

    async def sources(self) -> list[dict[str, Any]]:
        return await self.database.read(sources.list_sources)

    async def verdicts(self, file_id: uuid.UUID, **options: Any) -> tuple[dict[str, int], int, list[dict[str, Any]]]:
        """(counts by verdict, targets with a verdict, one page); ``options`` as ``verdicts.file_verdicts``."""

        def query(connection) -> tuple[dict[str, int], int, list[dict[str, Any]]]:
            if not queries.file_exists(connection, file_id):
                raise NotFound("no such data file")
            total, page = verdicts.file_verdicts(connection, file_id, **options)
            return verdicts.verdict_counts(connection, file_id), total, page

        return await self.database.read(query)

    async def sample(self, file_id: uuid.UUID, options: SamplingOptions) -> dict[str, Any]:
        """The file's monetary unit sample (see ``sample_file``), read like an export: through the sync
        engine (COPY on PostgreSQL), in a worker thread."""

        def query() -> dict[str, Any]:
            with get_engine(self.database.url).connect() as connection:
                try:
                    return sample_of_file(connection, file_id, options)
                except NoSuchFile as exc:
                    raise NotFound(str(exc)) from None
                except SamplingError as exc:
                    raise BadRequest(str(exc)) from None

        with unavailable_when_unreachable():
            return await run_in_threadpool(query)

    async def audit_log(self, where: audit.AuditFilter, limit: int, offset: int) -> tuple[int, list[dict[str, Any]]]:
        return await self.database.read(audit.entries, where, limit, offset)

    async def file_comparison(self, file_id: uuid.UUID) -> dict[str, Any]:
        """The file's comparison with its source's earlier files, from the job a reader sees."""

        def query(connection) -> dict[str, Any]:
            data_file_id, job_id = queries.resolve_job(connection, file_id, None)
            return history_views.file_comparison(connection, data_file_id, job_id)

        return await self.database.read(query)

    async def source_trends(self, source: str) -> dict[str, Any]:
        def query(connection) -> dict[str, Any]:
            trends = history_views.source_trends(connection, source)
            if trends is None:
                raise NotFound(f"no file belongs to source {source!r}")
            return trends

        return await self.database.read(query)

    async def ping(self) -> None:
        await self.database.ping()
