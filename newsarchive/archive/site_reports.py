"""What the archive holds of each site: its articles and its last run (`newsarchive sites`).

Reads only.
"""

from __future__ import annotations

from typing import Any

from newsarchive.archive.connection import Connection


class SiteReports(Connection):
    """Per-site summaries for the site catalogue's listing."""

    def site_summaries(self) -> dict[str, dict[str, Any]]:
        """By site (every site with an article or a run): ``articles``, ``last_published``,
        and its last run's ``last_run`` (started), ``status``, ``finished`` and ``error``."""
        out: dict[str, dict[str, Any]] = {}
        with self._read("reading the sites") as conn:
            for site, articles, last in conn.execute(
                "SELECT site, COUNT(*), MAX(published) FROM articles GROUP BY site"
            ):
                out[site] = {"articles": articles, "last_published": last}
            for row in conn.execute(
                "SELECT site, started, finished, status, error FROM runs r WHERE id = "
                "(SELECT id FROM runs WHERE site IS r.site ORDER BY started DESC, id DESC LIMIT 1)"
            ):
                entry = out.setdefault(row["site"], {"articles": 0, "last_published": None})
                entry.update(
                    last_run=row["started"],
                    finished=row["finished"],
                    status=row["status"],
                    error=row["error"],
                )
        return out
