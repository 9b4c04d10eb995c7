"""`manage.py load_gazetteer`: a council's CSV (OS Places DPA columns), streamed in batches."""

import csv
import re
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from frontdoor.addresses.lookup import GazetteerLookup
from frontdoor.addresses.models import GazetteerAddress

pytestmark = pytest.mark.django_db

HEADER = [
    "UPRN",
    "ORGANISATION_NAME",
    "SUB_BUILDING_NAME",
    "BUILDING_NAME",
    "BUILDING_NUMBER",
    "THOROUGHFARE_NAME",
    "DEPENDENT_LOCALITY",
    "POST_TOWN",
    "POSTCODE",
]


def write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    with path.open("w", newline="", encoding="utf-8-sig") as file:  # with a BOM, as Excel
        writer = csv.writer(file)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def load(*args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("load_gazetteer", *args, stdout=out)
    return out.getvalue()


def test_bad_rows_are_skipped_and_counted(tmp_path):
    # Extra OS columns and another order are fine: columns are found by name.
    header = ["UDPRN", "POSTCODE", "UPRN", "THOROUGHFARE_NAME", "BUILDING_NUMBER", "POST_TOWN"]
    path = write_csv(
        tmp_path / "council.csv",
        [
            ["1", "WR1 1AA", "100000000001", "FICTIONAL ROAD", "1", "WORCESTER"],
            ["2", "wr11aa", "100000000002", "FICTIONAL ROAD", "3", "WORCESTER"],  # normalised
            ["3", "WR1 1AA", "", "FICTIONAL ROAD", "5", "WORCESTER"],  # no UPRN
            ["4", "", "100000000004", "FICTIONAL ROAD", "7", "WORCESTER"],  # no postcode
            ["5", "NOT A PC", "100000000005", "FICTIONAL ROAD", "9", "WORCESTER"],  # invalid
            ["6", "WR1 1AA", "UPRN-6", "FICTIONAL ROAD", "11", "WORCESTER"],  # not a UPRN
            ["7", "WR1 1AA", "100000000007", "X" * 101, "13", "WORCESTER"],  # too long
            ["8", "WR1 1AA", "100000000008"],  # a short row: the rest is empty
        ],
        header,
    )

    out = load(str(path))

    assert "8 rows read, 3 loaded, 5 skipped" in out
    assert "3 addresses in all" in out
    assert sorted(GazetteerAddress.objects.values_list("uprn", "postcode", "building_number")) == [
        ("100000000001", "WR1 1AA", "1"),
        ("100000000002", "WR1 1AA", "3"),
        ("100000000008", "WR1 1AA", ""),
    ]


def test_a_uprn_loaded_again_is_updated_even_twice_in_one_file(tmp_path):
    load(
        str(
            write_csv(
                tmp_path / "a.csv",
                [["100000000001", "", "", "", "1", "OLD ROAD", "", "WORCESTER", "WR1 1AA"]],
            )
        )
    )
    path = write_csv(
        tmp_path / "b.csv",
        [
            ["100000000001", "", "", "", "2", "NEW ROAD", "", "WORCESTER", "WR2 4BB"],
            ["100000000001", "", "", "", "4", "NEWER ROAD", "", "WORCESTER", "WR3 8HH"],
        ],
    )

    load(str(path))

    [row] = GazetteerAddress.objects.all()
    assert (row.thoroughfare, row.postcode) == ("NEWER ROAD", "WR3 8HH")


def test_replace_removes_the_addresses_not_in_the_file(tmp_path):
    load("--sample")
    path = write_csv(
        tmp_path / "new.csv",
        [["100000000001", "", "", "", "1", "NEW ROAD", "", "WORCESTER", "WR1 1AA"]],
    )

    assert "1 addresses in all" in load(str(path), "--replace")
    assert list(GazetteerAddress.objects.values_list("uprn", flat=True)) == ["100000000001"]


def test_a_file_it_cannot_use_is_refused_and_nothing_changes(tmp_path):
    load("--sample")
    no_postcode = write_csv(tmp_path / "x.csv", [["1", "A ROAD"]], ["UPRN", "THOROUGHFARE_NAME"])

    with pytest.raises(CommandError, match="no POSTCODE column"):
        load(str(no_postcode), "--replace")
    with pytest.raises(CommandError, match="Could not read"):
        load(str(tmp_path / "missing.csv"))
    with pytest.raises(CommandError, match="--sample"):
        load()

    assert GazetteerAddress.objects.count() == 57


def generate(path: Path, rows: int) -> None:
    """`rows` addresses, 15 to a postcode, written as they are made; every 10,000th is bad."""
    letters = "ABDEFGHJLNPQRSTUWXYZ"
    with path.open("w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(HEADER)
        for i in range(rows):
            unit = i // 15
            district, sector, pair = unit % 15 + 1, unit // 15 % 10, unit // 150
            postcode = f"WR{district} {sector}{letters[pair // 20 % 20]}{letters[pair % 20]}"
            flat = f"FLAT {i % 15 + 1}" if i % 3 == 0 else ""
            writer.writerow(
                [
                    str(100_000_000_000 + i),
                    "",
                    flat,
                    "EXAMPLE HOUSE" if flat else "",
                    str(i % 15 + 1),
                    f"GENERATED STREET {unit % 500}",
                    "",
                    "WORCESTER",
                    "" if i % 10_000 == 9_999 else postcode,
                ]
            )


def memory_kib(field: str) -> int:
    """VmRSS (in use) or VmHWM (the peak since the last reset) of this process, in KiB."""
    status = Path("/proc/self/status").read_text()
    match = re.search(rf"^{field}:\s+(\d+) kB$", status, re.MULTILINE)
    assert match, f"no {field} in /proc/self/status"
    return int(match.group(1))


def reset_peak_memory() -> int:
    """Make the peak what is in use now, and return it (KiB)."""
    Path("/proc/self/clear_refs").write_text("5")
    peak = memory_kib("VmHWM")
    assert peak <= memory_kib("VmRSS") + 1024, "the peak was not reset"
    return peak


def test_the_peak_is_measured_from_the_reset_not_from_earlier_tests():
    held = bytearray(100 * 1024 * 1024)  # 100 MB touched, then let go: an old peak
    held[::4096] = b"x" * len(held[::4096])
    del held
    before = reset_peak_memory()
    assert memory_kib("VmHWM") - before < 10 * 1024
    now = bytearray(30 * 1024 * 1024)
    now[::4096] = b"x" * len(now[::4096])
    assert memory_kib("VmHWM") - before > 25 * 1024
    del now


def test_a_council_sized_file_streams_in_quickly_in_flat_memory(tmp_path):
    path = tmp_path / "gazetteer.csv"
    generate(path, 300_000)

    # The loader's own peak: the process's high-water mark is already raised by earlier
    # tests (Argon2 takes 64 MB a hash), so reset it to what is in use now (Linux:
    # /proc/self/clear_refs), then read it after the load.
    before = reset_peak_memory()
    started = time.perf_counter()
    out = load(str(path))
    seconds = time.perf_counter() - started
    growth_mb = (memory_kib("VmHWM") - before) / 1024

    size_mb = path.stat().st_size / 1e6
    print(f"300,000 rows ({size_mb:.0f} MB): {seconds:.1f} s, peak +{growth_mb:.0f} MB")
    assert "300,000 rows read, 299,970 loaded, 30 skipped" in out
    assert GazetteerAddress.objects.count() == 299_970
    assert len(GazetteerLookup().find("WR7 3BA")) == 15
    assert seconds < 30
    # Held in memory, 300,000 rows would take hundreds of MB.
    assert growth_mb < 60
