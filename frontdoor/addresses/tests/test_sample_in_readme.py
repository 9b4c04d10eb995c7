"""The README lists the sample gazetteer's postcodes: the list is the sample's."""

import csv
import re
from collections import Counter
from pathlib import Path

from frontdoor.addresses.management.commands.load_gazetteer import SAMPLE

README = Path(__file__).resolve().parents[3] / "README.md"


def test_the_readme_lists_every_postcode_of_the_sample_gazetteer_and_no_other():
    section = README.read_text().split("## Sample addresses", 1)[1].split("\n## ", 1)[0]
    listed = {
        postcode: (int(count), street, town)
        for postcode, count, street, town in re.findall(
            r"^\| ([A-Z0-9]+ [0-9][A-Z]{2}) \| (\d+) on ([^,]+), ([^ |(]+)", section, re.M
        )
    }
    with SAMPLE.open(newline="", encoding="utf-8-sig") as file:
        rows = list(csv.DictReader(file))
    counts = Counter(row["POSTCODE"] for row in rows)
    sample = {
        row["POSTCODE"]: (
            counts[row["POSTCODE"]],
            row["THOROUGHFARE_NAME"].title(),
            row["POST_TOWN"].title(),
        )
        for row in rows
    }
    assert listed == sample
