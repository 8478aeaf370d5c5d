"""The seed article (``seed-article.txt``) and the articles pinned around it.

The seed page must read exactly as the real page did: its own text, its Related Articles, and
its "More from World" block. The six "More from World" articles and the six related ones are
real articles of the replica, published at fixed times in the days before the clock starts, so
the general rules ("the 6 newest of the section", links that answer) give the seed page's text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from .textmodel import Paragraph, text_run

SEED_ID = 229777
SEED_TITLE = "Syrian Opposition Forces Make Gains in Homs, Threatening Regime's Control"


@dataclass(frozen=True)
class Pin:
    """An article with fixed identity: day, Sofia wall time, section, title (and more)."""

    key: str
    day: date
    minute: int
    """Sofia wall time, minutes after midnight."""
    section: str
    subsection: str | None
    title: str
    teaser: str | None = None
    """Exact first sentence without its final period (what listings show), if fixed."""
    tags: tuple[str, ...] | None = None
    sources: tuple[str, ...] = ()
    body: tuple[Paragraph, ...] | None = None
    """The whole body, if fixed (the seed)."""
    related: tuple[str, ...] = field(default=())
    """Keys of pinned articles shown as Related Articles, newest first."""


def _hm(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def _t(text: str) -> tuple[str, str, str]:
    return text_run(text)


# The seed's six paragraphs, with some inline markup and entities (the truth is the plain text).
_SEED_BODY: tuple[Paragraph, ...] = (
    (
        _t("Rebels, led by the Islamist faction "),
        ("b", "Hayat Tahrir al-Sham", ""),
        _t(
            " (HTS), have made significant advances toward the city of Homs in central Syria, "
            "according to the "
        ),
        ("a", "Syrian Observatory for Human Rights", "https://www.syriahr.com/en/"),
        _t(
            ". The insurgents are now within 5\xa0km of the city's outskirts, after capturing "
            "key towns like Rastan and Talbisseh, which are located along the vital M5 highway"
        ),
        ("nl", "", ""),
        _t(
            "that links Homs to Damascus and the north. The assault on Homs follows earlier gains "
            "made by HTS, including the capture of Aleppo and Hama, both major losses for the "
            "regime of President Bashar Assad."
        ),
    ),
    (
        _t(
            "The escalation has prompted many residents of Homs to flee their homes, heading "
            "towards western coastal regions still under government control. Efforts to defend "
            "the city have intensified, with reinforcements being deployed to bolster Syrian "
            "army positions around Homs. Russian forces also took action overnight, bombing the "
            "Rustan bridge, a crucial route for supplies and reinforcements to the city, as part "
            "of an effort to slow the advancing rebels."
        ),
    ),
    (
        _t(
            "The rebels' progress threatens to sever one of the last main routes to the Syrian "
            "coast, which is home to the Alawite minority that supports Assad's regime. With "
            "Homs in their hands, the insurgents would significantly disrupt the government's "
            "access to this region."
        ),
    ),
    (
        _t(
            "The Syrian conflict, which began in 2011 after the government's brutal crackdown on "
            "pro-democracy protests, has seen the involvement of various international actors. "
            "Russia and Iran have been key supporters of Assad, helping him regain control of "
            "much of the country. However, the rise of HTS, once affiliated with al-Qaeda, has "
            "brought a new wave of insurgency, particularly in Syria's "
        ),
        ("i", "Idlib", ""),
        _t(" province, where HTS is the dominant force."),
    ),
    (
        _t(
            "This offensive comes as Russia and Iran, Assad's primary backers, face distractions "
            "from other regional conflicts, weakening their ability to provide assistance to the "
            "Syrian government. While HTS pushes southward, aiming to capture territory "
            "controlled by Assad, the offensive also fits within broader Turkish efforts in the "
            "region. Turkey has consistently targeted Kurdish groups in northern Syria, including "
            "the "
        ),
        ("bi", "Syrian Democratic Forces", ""),
        _t(" (SDF), whom it labels as terrorists."),
    ),
    (
        _t(
            "The current offensive follows a series of clashes between Syrian regime forces and "
            "anti-regime groups that started in late November in Aleppo. By November 30, "
            "opposition forces had secured much of Aleppo's city center and solidified their "
            "control over Idlib province. On December 5, they also managed to capture the city "
            "center of Hama, further solidifying their momentum. Meanwhile, the Syrian National "
            "Army, aligned with anti-regime forces, recently launched Operation Dawn of Freedom, "
            "which successfully liberated areas in Aleppo's countryside from Kurdish-controlled "
            "groups."
        ),
    ),
)

_D7, _D6, _D5 = date(2024, 12, 7), date(2024, 12, 6), date(2024, 12, 5)

PINS: tuple[Pin, ...] = (
    Pin(
        "related6",
        _D5,
        _hm("08:40"),
        "World",
        None,
        "Syrian Rebels Advance on Aleppo, Targeting Pro-Assad Forces and Iranian Influence",
        tags=("Syria", "Aleppo", "rebels", "Iran"),
    ),
    Pin(
        "related5",
        _D5,
        _hm("10:05"),
        "World",
        None,
        "Syria's Rebel Offensive Gains Momentum as Iran, Russia, and Hezbollah Struggle",
        tags=("Syria", "Iran", "Russia", "Hezbollah"),
    ),
    Pin(
        "related4",
        _D5,
        _hm("12:30"),
        "World",
        None,
        "Escalating Syrian Conflict: Rebel Advances, Russian Movements, and Iraqi Warnings",
        tags=("Syria", "Russia", "Iraq"),
    ),
    Pin(
        "related3",
        _D5,
        _hm("15:10"),
        "World",
        None,
        "Syrian Rebels Advance on Hama as Regime Forces Counterattack with Russian Air Support",
        tags=("Syria", "Hama", "rebels"),
    ),
    Pin(
        "related2",
        _D5,
        _hm("19:20"),
        "World",
        None,
        "Syrian Rebels Seize Hama: A Turning Point in the Conflict",
        tags=("Syria", "Hama", "HTS"),
    ),
    Pin(
        "related1",
        _D6,
        _hm("08:15"),
        "Society",
        None,
        "Pleven Faces Water Shutdowns as Authorities Probe Management Missteps",
        tags=("Pleven", "water", "shortages"),
    ),
    Pin(
        "more6",
        _D6,
        _hm("09:02"),
        "World",
        "Southeast Europe",
        "Romania's Presidential Candidate Promises Zero Support for Ukraine, Focus on National Interests",
        teaser="Calin Georgescu, the unexpected frontrunner in Romania's presidential elections, "
        "has pledged to halt all support for Ukraine if he secures victory",
        tags=("Romania", "Georgescu", "Ukraine", "elections"),
    ),
    Pin(
        "more5",
        _D6,
        _hm("10:25"),
        "World",
        "Ukraine",
        "US to Send Massive Military Aid to Ukraine Before Trump Takes Office",
        teaser="The United States is set to deliver a substantial new military aid package to "
        "Ukraine before Donald Trump assumes office in January 2025",
        tags=("USA", "Ukraine", "military aid", "Trump"),
    ),
    Pin(
        "seed",
        _D6,
        _hm("11:06"),
        "World",
        None,
        SEED_TITLE,
        tags=("Syria", "rebels", "Homs", "regime"),
        sources=('"X"', "Telegram", "Syrian Observatory for Human Rights", "Anadolu Agency", "DW"),
        body=_SEED_BODY,
        related=("related1", "related2", "related3", "related4", "related5", "related6"),
    ),
    Pin(
        "more4",
        _D6,
        _hm("16:45"),
        "World",
        "Southeast Europe",
        "Court Nullifies Romanian Election Following Allegations of Russian Interference",
        teaser="Romania\u2019s Constitutional Court has annulled the recent presidential election, "
        "a decision made amidst growing concerns of foreign interference and manipulation",
        tags=("Romania", "elections", "Russia", "Constitutional Court"),
    ),
    Pin(
        "more3",
        _D6,
        _hm("16:52"),
        "World",
        "EU",
        "Landmark EU-Mercosur Agreement Promises Billions in Tariff Savings",
        teaser="The European Union (EU) and Mercosur countries have reached a landmark agreement "
        "to establish one of the world's largest trade deals",
        tags=("EU", "Mercosur", "trade"),
    ),
    Pin(
        "more2",
        _D6,
        _hm("17:15"),
        "World",
        "Ukraine",
        "Ukraine Bolsters Defense with First Shipment of 'Hell' Missile Drones",
        teaser="President Volodymyr Zelensky has announced that Ukraine's defense forces have "
        "received the first batch of the newly developed Peklo (Hell) missile drones",
        tags=("Ukraine", "Zelensky", "drones"),
    ),
    Pin(
        "more1",
        _D7,
        _hm("10:40"),
        "World",
        "Southeast Europe",
        'Nationalist Candidate Georgescu Responds to Election Annulment in Romania: "A Coup Against Democracy',
        teaser="Romanian President Klaus Iohannis has accused nationalist candidate Calin Georgescu",
        tags=("Romania", "Georgescu", "Iohannis"),
    ),
)
"""Oldest first. The oldest pinned article (2024-12-05 08:40) bounds the smallest tail."""

PINS_BY_DAY: dict[date, list[Pin]] = {}
for _pin in PINS:
    PINS_BY_DAY.setdefault(_pin.day, []).append(_pin)
PIN_BY_KEY: dict[str, Pin] = {pin.key: pin for pin in PINS}
NO_WORLD_SINCE = (_D6, _hm("09:02"))
"""No generated World article from this Sofia day and time on (the seed's "More from World")."""
