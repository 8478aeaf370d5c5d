"""Who the site is: its key in the archive, the zone its pages print times in, its root URL."""

from __future__ import annotations

SITE = "novinite"
#: The site prints Sofia wall time (EET/EEST) without an offset.
TZ = "Europe/Sofia"
BASE_URL = "https://www.novinite.com/"
