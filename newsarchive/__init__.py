"""newsarchive: a scheduled news-site scraper and searchable SQLite archive."""

__version__ = "0.1.0"
PROJECT_URL = "https://github.com/newsarchive/newsarchive"
