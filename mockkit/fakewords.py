"""The word lists and constants behind mockkit's dynamic variables that Faker lacks (faker.js
5.5.3 "en", and Postman's own lists); ``fakes`` builds the generators from them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone

__all__ = ["WORD_POOLS", "ABBREVIATIONS", "HACKER_ADJECTIVES", "HACKER_NOUNS", "HACKER_VERBS", "HACKER_INGVERBS",
           "HACKER", "PHRASES", "JOB_DESCRIPTORS", "JOB_AREAS", "JOB_TYPES", "PRODUCT_ADJECTIVES",
           "PRODUCT_MATERIALS", "PRODUCTS", "DEPARTMENTS", "ACCOUNT_TYPES", "TRANSACTION_TYPES",
           "DB_COLUMNS", "DB_TYPES", "DB_COLLATIONS", "DB_ENGINES", "COMMON_FILE_TYPES",
           "COMMON_FILE_EXTS", "LOCALES", "DIRECTORY_PATHS", "BASE58", "AVATAR_IPFS", "DAY_ABBR",
           "MONTH_ABBR", "EPOCH", "DAY_MS", "JS_UTC"]


def words(text: str, sep: str | None = None) -> tuple[str, ...]:
    return tuple(text.split(sep))


ABBREVIATIONS = words("ADP AGP AI API ASCII CLI COM CSS DNS EXE FTP GB HDD HEX HTTP IB IP JBOD"
                        " JSON OCR PCI PNG RAM RSS SAS SCSI SDD SMS SMTP SQL SSD SSL TCP THX TLS"
                        " UTF8 XML XSS")
HACKER_ADJECTIVES = words("auxiliary|primary|back-end|digital|open-source|virtual|cross-platform"
                            "|redundant|online|haptic|multi-byte|bluetooth|wireless|1080p|neural"
                            "|optical|solid state|mobile", "|")
HACKER_NOUNS = words("driver|protocol|bandwidth|panel|microchip|program|port|card|array"
                       "|interface|system|sensor|firewall|hard drive|pixel|alarm|feed|monitor"
                       "|application|transmitter|bus|circuit|capacitor|matrix", "|")
HACKER_VERBS = words("back up|bypass|hack|override|compress|copy|navigate|index|connect|generate"
                       "|quantify|calculate|synthesize|input|transmit|program|reboot|parse", "|")
HACKER_INGVERBS = words("backing up|bypassing|hacking|overriding|compressing|copying|navigating"
                          "|indexing|connecting|generating|quantifying|calculating|synthesizing"
                          "|transmitting|programming|parsing", "|")
HACKER = {
    "abbreviation": ABBREVIATIONS, "adjective": HACKER_ADJECTIVES, "noun": HACKER_NOUNS,
    "verb": HACKER_VERBS, "ingverb": HACKER_INGVERBS,
}
PHRASES = (
    "If we {verb} the {noun}, we can get to the {abbreviation} {noun} through the {adjective}"
    " {abbreviation} {noun}!",
    "We need to {verb} the {adjective} {abbreviation} {noun}!",
    "Try to {verb} the {abbreviation} {noun}, maybe it will {verb} the {adjective} {noun}!",
    "You can't {verb} the {noun} without {ingverb} the {adjective} {abbreviation} {noun}!",
    "Use the {adjective} {abbreviation} {noun}, then you can {verb} the {adjective} {noun}!",
    "The {abbreviation} {noun} is down, {verb} the {adjective} {noun} so we can {verb} the"
    " {abbreviation} {noun}!",
    "{ingverb} the {noun} won't do anything, we need to {verb} the {adjective} {abbreviation}"
    " {noun}!",
    "I'll {verb} the {adjective} {abbreviation} {noun}, that should {noun} the {abbreviation}"
    " {noun}!",
)
JOB_DESCRIPTORS = words("Lead Senior Direct Corporate Dynamic Future Product National Regional"
                          " District Central Global Customer Investor International Legacy Forward"
                          " Internal Human Chief Principal")
JOB_AREAS = words("Solutions Program Brand Security Research Marketing Directives Implementation"
                    " Integration Functionality Response Paradigm Tactics Identity Markets Group"
                    " Division Applications Optimization Operations Infrastructure Intranet"
                    " Communications Web Branding Quality Assurance Mobility Accounts Data"
                    " Creative Configuration Accountability Interactions Factors Usability Metrics")
JOB_TYPES = words("Supervisor Associate Executive Liaison Officer Manager Engineer Specialist"
                    " Director Coordinator Administrator Architect Analyst Designer Planner"
                    " Orchestrator Technician Developer Producer Consultant Assistant Facilitator"
                    " Agent Representative Strategist")
PRODUCT_ADJECTIVES = words("Small Ergonomic Rustic Intelligent Gorgeous Incredible Fantastic"
                             " Practical Sleek Awesome Generic Handcrafted Handmade Licensed"
                             " Refined Unbranded Tasty")
PRODUCT_MATERIALS = words("Steel Wooden Concrete Plastic Cotton Granite Rubber Metal Soft"
                            " Fresh Frozen")
PRODUCTS = words("Chair Car Computer Keyboard Mouse Bike Ball Gloves Pants Shirt Table Shoes Hat"
                   " Towels Soap Tuna Chicken Fish Cheese Bacon Pizza Salad Sausages Chips")
DEPARTMENTS = words("Books Movies Music Games Electronics Computers Home Garden Tools Grocery"
                      " Health Beauty Toys Kids Baby Clothing Shoes Jewelery Sports Outdoors"
                      " Automotive Industrial")
ACCOUNT_TYPES = words("Checking|Savings|Money Market|Investment|Home Loan|Credit Card|Auto Loan"
                        "|Personal Loan", "|")
TRANSACTION_TYPES = words("deposit withdrawal payment invoice")
DB_COLUMNS = words("id title name email phone token group category password comment avatar"
                     " status createdAt updatedAt")
DB_TYPES = words("int varchar text date datetime tinyint time timestamp smallint mediumint"
                   " bigint decimal float double real bit boolean serial blob binary enum set"
                   " geometry point")
DB_COLLATIONS = words("utf8_unicode_ci utf8_general_ci utf8_bin ascii_bin ascii_general_ci"
                        " cp1250_bin cp1250_general_ci")
DB_ENGINES = words("InnoDB MyISAM MEMORY CSV BLACKHOLE ARCHIVE")
COMMON_FILE_TYPES = words("video audio image text application")
COMMON_FILE_EXTS = words("pdf mp3 wav png jpeg jpg gif mp4 mpeg html")
# Postman's 128 locales (from Chromium's l10n_util.cc) less its six 3-letter codes: ISO 639-1 only.
LOCALES = words("af am an ar az be bg bh bn br bs ca co cs cy da de el en eo es et eu fa fi fo"
                  " fr fy ga gd gl gn gu ha he hi hr ht hu hy ia id ig is it ja jv ka kk km kn ko"
                  " ku ky la lb ln lo lt lv mg mi mk ml mn mo mr ms mt my nb ne nl nn no ny oc om"
                  " or pa pl ps pt qu rm ro ru sd sh si sk sl sm sn so sq sr st su sv sw ta te tg"
                  " th ti tk to tr tt tw ug uk ur uz vi wa xh yi yo zh zu")
DIRECTORY_PATHS = words("/Applications /bin /boot /boot/defaults /dev /etc /etc/defaults"
                          " /etc/mail /etc/namedb /etc/periodic /etc/ppp /home /home/user"
                          " /home/user/dir /lib /Library /lost+found /media /mnt /net /Network"
                          " /opt /opt/bin /opt/include /opt/lib /opt/sbin /opt/share /private"
                          " /private/tmp /private/var /proc /rescue /root /sbin /selinux /srv /sys"
                          " /System /tmp /Users /usr /usr/X11R6 /usr/bin /usr/include /usr/lib"
                          " /usr/libdata /usr/libexec /usr/local/bin /usr/local/src /usr/obj"
                          " /usr/ports /usr/sbin /usr/share /usr/src /var /var/log /var/mail"
                          " /var/spool /var/tmp /var/yp")
WORD_POOLS: tuple[Sequence[str], ...] = (
    ABBREVIATIONS, HACKER_ADJECTIVES, HACKER_NOUNS, HACKER_VERBS, HACKER_INGVERBS,
    JOB_DESCRIPTORS, JOB_AREAS, JOB_TYPES, PRODUCT_ADJECTIVES, PRODUCT_MATERIALS, PRODUCTS,
    DEPARTMENTS, ACCOUNT_TYPES, TRANSACTION_TYPES,
)
BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
AVATAR_IPFS = "https://cloudflare-ipfs.com/ipfs/Qmd3W5DuhgHirLHGVixi6V76LhCkZUz6pnFt5AJBiyvHye"
DAY_ABBR = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
DAY_MS = 24 * 3600 * 1000
JS_UTC = "GMT+0000 (Coordinated Universal Time)"
