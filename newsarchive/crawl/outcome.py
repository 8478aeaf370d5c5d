"""How a run ended: its status, exit code and message, and DESIGN's one summary line."""

from __future__ import annotations

from dataclasses import dataclass, field

from newsarchive import exitcodes

#: Why Scrapy closed the spider, for a run that did all it set out to do.
COMPLETE_REASONS = ("finished", "limit")


@dataclass
class RunOutcome:
    """How a run ended, for the runs row, the CLI's summary line and its exit code."""

    site: str
    status: str = "ok"
    exit_code: int = exitcodes.OK
    message: str = ""
    run_id: int | None = None
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    requests: int = 0
    seconds: float = 0.0

    def fail(self, status: str, exit_code: int, message: str) -> None:
        """Record the first failure (a later one does not hide the cause)."""
        if self.exit_code == exitcodes.OK:
            self.status, self.exit_code, self.message = status, exit_code, message

    def summary(self) -> str:
        """DESIGN's one summary line."""
        total = sum(self.skipped.values())
        reasons = ", ".join(f"{r} {n}" for r, n in sorted(self.skipped.items(), key=lambda x: -x[1]))
        skipped = f"{total} skipped" + (f" ({reasons})" if reasons else "")
        line = (
            f"{self.site}: {self.new} new, {self.updated} updated, {self.unchanged} unchanged, "
            f"{skipped}; {self.requests} requests in {self.seconds:.1f} s"
        )
        if self.status != "ok":
            line += f" — {self.status}: {self.message}"
        return line


def settle(
    outcome: RunOutcome,
    reason: str,
    *,
    responses: int,
    unanswered: int,
    errors: int,
    root: str,
    unseen: str | None = None,
) -> None:
    """Decide a closing run's status from why Scrapy closed it and what it met.

    A run that got no answer at all is exit 4; one whose answers showed nothing of the site
    (`unseen`: why, from `evidence.Evidence.problem`) is exit 1; so is one on whose pages our
    code raised (a bug: the next runs fetch those pages again); a signal is ``interrupted``;
    any other close reason is a failure named by it. A failure recorded earlier (the archive)
    stands.
    """
    if outcome.exit_code != exitcodes.OK:
        return
    if reason in COMPLETE_REASONS:
        if responses == 0 and unanswered:
            outcome.fail(
                "failed",
                exitcodes.UNREACHABLE,
                f"{root} could not be reached (no answer to any request)",
            )
        elif unseen:
            outcome.fail("failed", exitcodes.FAILED, unseen)
        elif errors:
            outcome.fail(
                "failed",
                exitcodes.FAILED,
                f"{errors} page(s) raised an error in the crawler (a bug: see the log); "
                "the next runs fetch them again",
            )
    elif reason == "shutdown":
        outcome.fail("interrupted", exitcodes.FAILED, "stopped by a signal")
    elif reason == "archive_error":
        outcome.fail("failed", exitcodes.ARCHIVE, "")
    else:
        outcome.fail("failed", exitcodes.FAILED, f"closed: {reason}")
