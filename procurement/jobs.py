"""Long work as background jobs: Huey for the queue, the `job` table for the outcome.

Huey (a maintained, small queue): SQLite storage by default, a file beside the database in
the instance folder, so the embedded default needs no other service (`make run` starts its
consumer beside the web server); Redis in production (TENDER_QUEUE=redis://…), where any
number of consumers on any number of machines take from the one queue. Tests run jobs
immediately, in the request (TESTING).

What a job did is kept in the database, not in the queue: its state, its counts of rows read,
checked and written, its result or its errors. A job's work and its "done" are one
transaction, so a killed worker leaves nothing half done (the transaction rolls back; the job
stays "running" and is run again when retried), and a job already done or failed is never
run twice, whoever retries it. The counts while it runs go through the queue's own storage
(another database than the app's: no lock is held against the work's transaction).

A kind of job is a handler registered with `handler(kind)`: `fn(job, progress)` does its
work in `db.session` without committing (its audit records name whoever started the job),
calls `progress(read=…, checked=…, written=…)` as it goes, and returns its result (a dict),
or raises `JobFailed(errors)`.
"""
from __future__ import annotations

import os
import secrets
from datetime import datetime, timedelta
from typing import Callable

from flask import current_app, g, has_app_context, jsonify
from huey import Huey
from huey.storage import RedisStorage, SqliteStorage
from sqlalchemy import (JSON, DateTime, ForeignKey, Integer, LargeBinary, String, delete,
                        select)
from sqlalchemy.orm import Mapped, deferred, mapped_column

from accounts.models import User
from clock import utcnow
from extensions import db

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
FINISHED = (DONE, FAILED)


class Job(db.Model):
    """One background job and its outcome (migration 0015)."""

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    procurement_id: Mapped[int | None] = mapped_column(
        ForeignKey("procurement.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    state: Mapped[str] = mapped_column(String(20), default=QUEUED)
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    rows_checked: Mapped[int] = mapped_column(Integer, default=0)
    rows_written: Mapped[int] = mapped_column(Integer, default=0)
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    result: Mapped[dict | None] = mapped_column(JSON)
    errors: Mapped[list | None] = mapped_column(JSON)  # [{sheet, row, column, message}]
    payload: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))  # the file given
    output: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))  # the file made
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)


class JobFailed(Exception):
    def __init__(self, errors: list[dict]):
        super().__init__(f"{len(errors)} errors")
        self.errors = errors


HANDLERS: dict[str, Callable] = {}


def handler(kind: str):
    def register(fn):
        HANDLERS[kind] = fn
        return fn
    return register


# ---- the queue ---------------------------------------------------------------------------

huey = Huey("tender", immediate=True)  # storage chosen by configure(app)
_APP = {}


def configure(app) -> None:
    """TENDER_QUEUE: "" (SQLite in the instance folder), redis://…, or "immediate"."""
    _APP["app"] = app
    where = app.config.get("JOBS_QUEUE", "")
    if app.config.get("TESTING") or where == "immediate":
        huey.immediate = True
        return
    if where.startswith(("redis://", "rediss://", "unix://")):
        huey.storage_class, huey.storage_kwargs = RedisStorage, {"url": where}
    else:
        path = where.removeprefix("sqlite:///") or os.path.join(app.instance_path, "queue.db")
        huey.storage_class, huey.storage_kwargs = SqliteStorage, {"filename": path}
    huey._immediate = True  # so that the setter below makes the configured storage
    huey.immediate = False


def _progress_key(job_id: str) -> str:
    return f"progress:{job_id}"


def counts(job: Job) -> dict:
    """Rows read, checked and written: live from the queue while it runs, else recorded."""
    live = None
    if job.state == RUNNING:
        try:
            live = huey.get(_progress_key(job.id), peek=True)
        except Exception:  # the queue's storage unreachable: the recorded counts will do
            live = None
    if live:
        return dict(live)
    return {"read": job.rows_read, "checked": job.rows_checked, "written": job.rows_written}


def status(job: Job, page: str) -> dict:
    """What a job's progress page and its script show (`page`: the page's own address);
    `total`, when the job was started with one, is how many rows it has to do."""
    return {"id": job.id, "kind": job.kind, "state": job.state,
            "finished": job.state in FINISHED, "counts": counts(job),
            "total": (job.params or {}).get("total"),
            "result": job.result, "errors": job.errors or [], "page": page}


KEPT_FOR = timedelta(days=7)  # a finished job's page, file given and file made


def forget_old(now: datetime | None = None) -> int:
    """Forget jobs finished more than KEPT_FOR ago, with the files they hold (a letters zip
    of a large tender is tens of MB): the audit trail, not the job table, is the record of
    what was done. Run whenever a job starts, so no schedule is needed. How many went."""
    gone = db.session.execute(delete(Job).where(
        Job.state.in_(FINISHED), Job.finished_at < (now or utcnow()) - KEPT_FOR))
    return gone.rowcount or 0


def status_response(job: Job, page: str):
    """The status as the progress page's script polls it: JSON, never cached."""
    response = jsonify(status(job, page))
    response.headers["Cache-Control"] = "no-store"
    return response


def start(kind: str, *, procurement_id: int | None, user_id: int | None,
          params: dict | None = None, payload: bytes | None = None) -> Job:
    """Record a job and queue it (after its row is committed, so a worker finds it)."""
    forget_old()
    job = Job(id=secrets.token_hex(16), kind=kind, procurement_id=procurement_id,
              user_id=user_id, params=params or {}, payload=payload, state=QUEUED)
    db.session.add(job)
    db.session.commit()
    job_id = job.id
    run_job(job_id)
    return db.session.get(Job, job_id)


STOPPED = ("The job stopped before it finished, and nothing of it was kept. Start it again; "
           "if it stops again, tell the service's administrators.")


@huey.task(retries=2, retry_delay=5, context=True)
def run_job(job_id: str, task=None) -> str:
    app = current_app._get_current_object() if has_app_context() else _APP["app"]
    with app.app_context():  # its own session, whatever the caller's
        try:
            return execute(job_id)
        except Exception:
            if task is not None and task.retries > 0:
                raise  # Huey runs it again later: the job stays running meanwhile
            # the last attempt: say so on the progress page rather than spin for ever
            db.session.rollback()
            stopped(job_id)
            raise
        finally:
            db.session.remove()


def stopped(job_id: str) -> None:
    """A job that crashed on its last attempt ends failed, with a message, not running."""
    job = db.session.get(Job, job_id)
    if job is not None and job.state not in FINISHED:
        _finish(job_id, FAILED, {"read": job.rows_read, "checked": job.rows_checked,
                                 "written": job.rows_written},
                errors=[{"message": STOPPED}])


def execute(job_id: str) -> str:
    """Run the job once: nothing if it is done or failed already (a retry, a duplicate)."""
    job = db.session.execute(select(Job).where(Job.id == job_id).with_for_update()
                             ).scalar_one_or_none()
    if job is None or job.state in FINISHED:
        return job.state if job else "missing"
    job.state, job.started_at = RUNNING, utcnow()
    db.session.commit()
    seen = {"read": 0, "checked": 0, "written": 0}

    def progress(**now):
        seen.update({k: v for k, v in now.items() if v is not None})
        try:
            huey.put(_progress_key(job_id), dict(seen))
        except Exception:  # progress is a courtesy: never the reason a job fails
            pass

    job = db.session.get(Job, job_id)
    starter = db.session.get(User, job.user_id) if job.user_id else None
    g.job_actor = starter.email if starter else None  # whom the work's audit records name
    try:
        result = HANDLERS[job.kind](job, progress)
    except JobFailed as failed:
        db.session.rollback()  # nothing of the work stays
        _finish(job_id, FAILED, seen, errors=failed.errors)
        return FAILED
    except BaseException:
        db.session.rollback()  # a crash: the job stays running, and a retry runs it afresh
        raise
    job.state, job.result, job.finished_at = DONE, result, utcnow()
    job.rows_read, job.rows_checked, job.rows_written = (seen["read"], seen["checked"],
                                                         seen["written"])
    db.session.commit()  # the work and its outcome, together
    return DONE


def _finish(job_id: str, state: str, seen: dict, errors: list[dict]) -> None:
    job = db.session.get(Job, job_id)
    job.state, job.errors, job.finished_at = state, errors, utcnow()
    job.rows_read, job.rows_checked, job.rows_written = (seen["read"], seen["checked"],
                                                         seen["written"])
    db.session.commit()


def job_of(procurement_id: int, job_id: str) -> Job | None:
    return db.session.execute(select(Job).where(
        Job.id == job_id, Job.procurement_id == procurement_id)).scalar_one_or_none()
