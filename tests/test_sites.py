"""The sites file (issue 13, "Site profiles"): every mistake one line naming file, site and key,
exit 2, nothing crawled; `newsarchive sites` lists every known site; which file is read."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsarchive import cli, exitcodes
from newsarchive.sites import Profile, SitesError, load_sites, sites_file
from tests.helpers import ROOT, crawl, rows

GOOD = """
[sites.examplenews]
url = "https://examplenews.example/"
timezone = "America/New_York"
feeds = ["https://examplenews.example/rss"]
sitemaps = ["https://examplenews.example/sitemap.xml"]
article_url = '/\\d{4}/\\d{2}/\\d{2}/(?P<id>[a-z0-9-]+)/'
delay = 2.5

[sites.examplenews.selectors]
title = "h1.headline"
body = "div.story > p"

[sites.novinite]
url = "http://mirror.example/"
delay = 0.5
"""

#: (name, file text, the site and key the one line must name, words it must hold)
BAD = [
    ("syntax", "[sites.x]\nurl = 'http://a.example/\n", None, None, "not valid TOML"),
    ("unknown key", "[sites.x]\nurl = 'http://a.example/'\ntimezone = 'UTC'\nfeed = []\n", "x", "feed", "unknown key"),
    ("bad regex", "[sites.x]\nurl = 'http://a.example/'\ntimezone = 'UTC'\narticle_url = '(?P<id>[0-9+'\n", "x", "article_url", "bad regular expression"),
    ("regex without id", "[sites.x]\nurl = 'http://a.example/'\ntimezone = 'UTC'\narticle_url = '/a/([0-9]+)'\n", "x", "article_url", "id group"),
    ("unknown time zone", "[sites.x]\nurl = 'http://a.example/'\ntimezone = 'Europe/Atlantis'\n", "x", "timezone", "unknown time zone"),
    ("url without scheme", "[sites.x]\nurl = 'a.example/'\ntimezone = 'UTC'\n", "x", "url", "http://"),
    ("missing url", "[sites.x]\ntimezone = 'UTC'\n", "x", "url", "missing"),
    ("feed without scheme", "[sites.x]\nurl = 'http://a.example/'\nfeeds = ['a.example/rss']\n", "x", "feeds", "http://"),
    ("bad selector", "[sites.x]\nurl = 'http://a.example/'\n[sites.x.selectors]\ntitle = 'h1[['\n", "x", "selectors.title", "bad CSS selector"),
    ("unknown selector field", "[sites.x]\nurl = 'http://a.example/'\n[sites.x.selectors]\nheadline = 'h1'\n", "x", "selectors.headline", "unknown field"),
    ("bad delay", "[sites.x]\nurl = 'http://a.example/'\ndelay = -1\n", "x", "delay", "seconds"),
    ("delay not a number", "[sites.x]\nurl = 'http://a.example/'\ndelay = 'slow'\n", "x", "delay", "number"),
    ("module site given a zone", "[sites.novinite]\nurl = 'http://m.example/'\ntimezone = 'UTC'\n", "novinite", "timezone", "its own module"),
]  # fmt: skip


def write(tmp_path: Path, text: str, name: str = "sites.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return path


def invoke(*args: str, **env: str):
    environ = {"NEWSARCHIVE_DB": "", "NEWSARCHIVE_SITES": "", **env}
    return CliRunner().invoke(cli.main, list(args), env=environ)


def test_a_good_file_gives_every_field(tmp_path):
    sites = load_sites(write(tmp_path, GOOD))
    news = sites["examplenews"]
    assert isinstance(news, Profile) and news.kind == "profile"
    assert (news.url, news.timezone, news.delay) == ("https://examplenews.example/", "America/New_York", 2.5)
    assert news.feeds == ("https://examplenews.example/rss",)
    assert news.article_url.search("https://examplenews.example/2026/12/04/a-story/")["id"] == "a-story"
    assert news.selectors == {"title": "h1.headline", "body": "div.story > p"}
    assert sites["novinite"].url == "http://mirror.example/"


@pytest.mark.parametrize(("case", "text", "site", "key", "words"), BAD, ids=[b[0] for b in BAD])
def test_each_mistake_is_one_line_naming_file_site_and_key_and_nothing_is_crawled(tmp_path, case, text, site, key, words):
    path = write(tmp_path, text)
    db = tmp_path / "archive.db"
    for args in (["crawl", "--sites", str(path), "--db", str(db)], ["sites", "--sites", str(path)]):
        result = invoke(*args)
        assert result.exit_code == exitcodes.USAGE, result.output
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"Error: {path}: "), result.output
        assert words in lines[0]
        if site is not None:
            assert f"site {site!r}, key {key!r}" in lines[0]
        assert "Traceback" not in result.output
    assert not db.exists()  # nothing crawled: not even the archive file (the lock) was made


def test_load_sites_raises_only_sites_error_on_a_file_that_is_not_text(tmp_path):
    path = tmp_path / "sites.toml"
    path.write_bytes(b"\xff\xfe[sites.x]\n")
    with pytest.raises(SitesError, match=r"not valid TOML"):
        load_sites(path)
    with pytest.raises(SitesError, match=r"cannot read"):
        load_sites(tmp_path / "missing.toml")


def test_the_file_is_the_option_else_the_variable_else_sites_toml_here(tmp_path, monkeypatch):
    monkeypatch.delenv("NEWSARCHIVE_SITES", raising=False)
    assert sites_file(None, cwd=tmp_path) is None  # none: only module sites
    here = write(tmp_path, GOOD)
    assert sites_file(None, cwd=tmp_path) == here
    monkeypatch.setenv("NEWSARCHIVE_SITES", str(tmp_path / "env.toml"))
    assert sites_file(None, cwd=tmp_path) == tmp_path / "env.toml"
    assert sites_file("given.toml", cwd=tmp_path) == Path("given.toml")


def sites_cli(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k not in ("NEWSARCHIVE_SITES", "NEWSARCHIVE_DB")}
    environ["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-m", "newsarchive.cli", "sites", *args],
        cwd=cwd, env={**environ, **env}, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_sites_lists_modules_and_profiles_from_the_current_directory_and_the_variable(tmp_path):
    write(tmp_path, GOOD)
    listed = sites_cli("--json", "--db", str(tmp_path / "none.db"), cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    records = {r["site"]: r for r in map(json.loads, listed.stdout.splitlines())}
    assert set(records) == {"examplenews", "novinite"}
    assert records["examplenews"]["kind"] == "profile"
    assert records["novinite"]["kind"] == "module"
    assert records["novinite"]["root"] == "http://mirror.example/"  # the profile's other root
    assert records["novinite"]["delay"] == 0.5
    other = tmp_path / "elsewhere"
    other.mkdir()
    write(other, "[sites.other]\nurl = 'https://other.example/'\ntimezone = 'Asia/Tokyo'\n", "mine.toml")
    by_env = sites_cli("--db", str(tmp_path / "none.db"), cwd=tmp_path, NEWSARCHIVE_SITES=str(other / "mine.toml"))
    assert by_env.returncode == 0, by_env.stderr
    assert "other" in by_env.stdout and "Asia/Tokyo" in by_env.stdout
    assert "examplenews" not in by_env.stdout  # the variable wins over ./sites.toml
    alone = sites_cli("--db", str(tmp_path / "none.db"), cwd=other)
    lines = alone.stdout.splitlines()
    assert alone.returncode == 0 and [ln.split()[0] for ln in lines[2:]] == ["novinite"]


def test_sites_shows_articles_and_the_last_run_of_each_site(replica, tmp_path):
    db = tmp_path / "archive.db"
    done = crawl(replica, db, "--limit", "5")
    assert done.returncode == 0, done.stderr
    result = invoke("sites", "--db", str(db), "--json")
    assert result.exit_code == 0, result.output
    record = json.loads(result.output.splitlines()[0])
    assert record["site"] == "novinite"
    assert record["articles"] == rows(db, "select count(*) n from articles")[0]["n"] == 5
    assert record["status"] == "ok" and record["last_run"] == rows(db, "select started from runs")[0]["started"]


def test_an_unknown_site_is_exit_2_listing_the_known_ones(tmp_path):
    path = write(tmp_path, GOOD)
    result = invoke("crawl", "nosuchsite", "--sites", str(path), "--db", str(tmp_path / "a.db"))
    assert result.exit_code == exitcodes.USAGE
    assert "unknown site 'nosuchsite' (known: examplenews, novinite)" in result.output
    assert not (tmp_path / "a.db").exists()


def test_base_url_with_several_sites_is_refused(tmp_path):
    path = write(tmp_path, GOOD)
    result = invoke("crawl", "--sites", str(path), "--base-url", "http://127.0.0.1:9/", "--db", str(tmp_path / "a.db"))
    assert result.exit_code == exitcodes.USAGE
    assert "--base-url names the root of one site" in result.output
    assert not (tmp_path / "a.db").exists()


def test_a_sites_delay_is_its_own_and_the_command_line_wins(tmp_path, monkeypatch):
    from scrapy.settings import Settings

    from newsarchive.crawl.catalogue import Catalogue

    monkeypatch.delenv("NEWSARCHIVE_PROFILE_SPIDER", raising=False)
    settings = Settings()
    settings.setmodule("newsarchive.settings", priority="project")
    catalogue = Catalogue.load(settings, write(tmp_path, GOOD))
    assert catalogue.names() == ["examplenews", "novinite"]
    own = settings.copy()
    catalogue.apply_site_settings("examplenews", own)
    assert own.getfloat("DOWNLOAD_DELAY") == 2.5 and own.getfloat("AUTOTHROTTLE_START_DELAY") == 2.5
    settings.set("DOWNLOAD_DELAY", 0.0, priority="cmdline")  # --delay 0
    own = settings.copy()
    catalogue.apply_site_settings("examplenews", own)
    assert own.getfloat("DOWNLOAD_DELAY") == 0.0
    kwargs = catalogue.spider_kwargs("examplenews")
    assert kwargs["site"] == "examplenews" and kwargs["profile"].timezone == "America/New_York"
    assert catalogue.spider_kwargs("novinite") == {"base_url": "http://mirror.example/"}
    monkeypatch.setenv("NEWSARCHIVE_PROFILE_SPIDER", "tests.profile_spider.ReplicaProfileSpider")
    again = Catalogue.load(settings, write(tmp_path, GOOD))
    assert again.spider_class("examplenews").__name__ == "ReplicaProfileSpider"
    monkeypatch.setenv("NEWSARCHIVE_PROFILE_SPIDER", "tests.no_such_module.Spider")
    with pytest.raises(SitesError, match="profile spider"):
        Catalogue.load(settings, write(tmp_path, GOOD)).spider_class("examplenews")
