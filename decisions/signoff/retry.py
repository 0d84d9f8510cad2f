"""When to try DocuSign again, and what to say when Tender gives up: plain rules over values.

One attempt comes back as an `Outcome` (an HTTP status, or None when nothing came back in
time); `next_step` says whether to try again and after how long. Credentials refused (401,
403) and requests refused (other 4xx) are final; a 429 waits as long as DocuSign's
Retry-After asks; a 5xx or no answer waits 1, 2, 4 … seconds. All of it is bounded by a
number of attempts and by the seconds waited in all, since someone is waiting for the page.
Whether trying again is *safe* is the caller's part: it looks for the envelope an unanswered
attempt may have created before it creates one (docs/docusign.md).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

import clock

NOT_SENT = "The note was not sent."


@dataclass(frozen=True)
class Policy:
    attempts: int = 3        # requests of one kind, the first included
    max_wait: float = 10.0   # seconds waited between attempts, in all
    backoff: float = 1.0     # the first wait after a 5xx or no answer; doubled each time


@dataclass(frozen=True)
class Outcome:
    status: int | None            # the HTTP status; None: no answer (time-out, dropped)
    retry_after: float | None = None
    detail: str = ""              # DocuSign's error code and message, or what went wrong


@dataclass(frozen=True)
class Step:
    retry: bool
    wait: float = 0.0
    message: str = ""             # when not retrying: what to tell the person


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Retry-After as seconds: a number of seconds or an HTTP date; None if absent or bad."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        seconds = (when - (now or clock.utcnow().replace(tzinfo=timezone.utc))).total_seconds()
    return max(0.0, seconds) if math.isfinite(seconds) else None


def _detail(outcome: Outcome) -> str:
    return f": {outcome.detail}" if outcome.detail else ""


def next_step(outcome: Outcome, attempt: int, waited: float, policy: Policy, *,
              what: str = "the envelope") -> Step:
    """After attempt number `attempt` (from 1) came back as `outcome`, with `waited` seconds
    already spent waiting: try again after `wait` seconds, or stop with `message`."""
    status = outcome.status
    if status in (401, 403):
        return Step(False, message=(
            f"DocuSign refused Tender's credentials ({status}{_detail(outcome)}): check "
            "DOCUSIGN_INTEGRATION_KEY, DOCUSIGN_USER_ID, DOCUSIGN_ACCOUNT_ID and that the "
            f"user gave consent (docs/docusign.md). {NOT_SENT}"))
    if status is not None and 400 <= status < 500 and status != 429:
        return Step(False, message=f"DocuSign refused {what} ({status}{_detail(outcome)}). "
                                   f"{NOT_SENT}")
    if status == 429:
        wait = outcome.retry_after if outcome.retry_after is not None \
            else policy.backoff * 2 ** (attempt - 1)
        give_up = (f"DocuSign is limiting Tender's requests (429): try again in "
                   f"{max(1, math.ceil(wait))} seconds. {NOT_SENT}")
    else:
        wait = policy.backoff * 2 ** (attempt - 1)
        problem = ("did not answer in time" if status is None else f"failed ({status})")
        give_up = (f"DocuSign {problem}{_detail(outcome)}; try again in a few minutes. "
                   f"{NOT_SENT} Before sending again Tender looks for an envelope DocuSign may "
                   "have made, so the note is never sent twice.")
    if attempt >= policy.attempts or waited + wait > policy.max_wait:
        return Step(False, message=give_up)
    return Step(True, wait=wait)
