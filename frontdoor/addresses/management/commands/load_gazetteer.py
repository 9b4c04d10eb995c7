import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, models, transaction

from frontdoor.addresses.models import GazetteerAddress
from frontdoor.addresses.postcodes import normalise_postcode

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample_gazetteer.csv"
BATCH = 5_000

# The OS Places / AddressBase "DPA" column for each field.
COLUMNS = {
    "uprn": "UPRN",
    "organisation": "ORGANISATION_NAME",
    "sub_building": "SUB_BUILDING_NAME",
    "building_name": "BUILDING_NAME",
    "building_number": "BUILDING_NUMBER",
    "thoroughfare": "THOROUGHFARE_NAME",
    "dependent_locality": "DEPENDENT_LOCALITY",
    "post_town": "POST_TOWN",
    "postcode": "POSTCODE",
}


def _max_length(name: str) -> int:
    field = GazetteerAddress._meta.get_field(name)
    assert isinstance(field, models.CharField)
    assert field.max_length
    return field.max_length


MAX_LENGTHS = [_max_length(name) for name in COLUMNS]


class Command(BaseCommand):
    help = (
        "Load the council's gazetteer from a CSV file with a header row in OS Places DPA "
        "columns (UPRN, ORGANISATION_NAME, SUB_BUILDING_NAME, BUILDING_NAME, BUILDING_NUMBER, "
        "THOROUGHFARE_NAME, DEPENDENT_LOCALITY, POST_TOWN, POSTCODE). The file is read as a "
        "stream, so it may be of any size. Addresses already loaded are updated by UPRN."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", type=Path, help="the CSV file (UTF-8)")
        parser.add_argument(
            "--sample", action="store_true", help="load the sample gazetteer that ships"
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="delete every address not in this file (in the same transaction)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path | None = SAMPLE if options["sample"] else options["path"]
        if path is None or (options["sample"] and options["path"]):
            raise CommandError("Give either the path of a CSV file or --sample.")
        try:
            with path.open(newline="", encoding="utf-8-sig") as file, transaction.atomic():
                if options["replace"]:
                    GazetteerAddress.objects.all().delete()
                read, skipped = self.load(csv.reader(file))
        except (OSError, UnicodeDecodeError, csv.Error) as error:
            raise CommandError(f"Could not read {path}: {error}") from None
        self.stdout.write(
            f"Gazetteer: {read:,} rows read, {read - skipped:,} loaded, {skipped:,} skipped "
            "(no UPRN, no or invalid postcode, or a value too long). "
            f"{GazetteerAddress.objects.count():,} addresses in all."
        )

    def load(self, reader: Iterator[list[str]]) -> tuple[int, int]:
        header = [name.strip().upper() for name in next(reader, [])]
        missing = [column for column in ("UPRN", "POSTCODE") if column not in header]
        if missing:
            raise CommandError(f"The file has no {' or '.join(missing)} column in its first row.")
        # Each field's place in a row, in COLUMNS' order (UPRN first, POSTCODE last).
        positions = [
            header.index(column) if column in header else None for column in COLUMNS.values()
        ]
        read = skipped = 0
        # Keyed by UPRN (a later row wins): PostgreSQL updates a row once per statement.
        batch: dict[str, list[str]] = {}
        for row in reader:
            read += 1
            values = [row[i].strip() if i is not None and i < len(row) else "" for i in positions]
            values[-1] = normalise_postcode(values[-1]) or ""
            if not (values[0].isdigit() and values[-1]) or any(
                len(value) > limit for value, limit in zip(values, MAX_LENGTHS, strict=True)
            ):
                skipped += 1
                continue
            batch[values[0]] = values
            if len(batch) == BATCH:
                self.save(batch)
        self.save(batch)
        return read, skipped

    @staticmethod
    def save(batch: dict[str, list[str]]) -> None:
        """Insert the rows, or update the addresses already there by UPRN.

        What bulk_create(update_conflicts=True) does (INSERT … ON CONFLICT … DO UPDATE, the
        syntax of SQLite and PostgreSQL), without the ORM building the SQL, which was most of
        its time: 300,000 rows took 14 s on SQLite with it, 3 s without. PostgreSQL takes the
        whole batch as one array per column.
        """
        if not batch:
            return
        quote = connection.ops.quote_name
        table = quote(GazetteerAddress._meta.db_table)
        columns = [quote(name) for name in COLUMNS]
        updates = ", ".join(f"{column} = excluded.{column}" for column in columns[1:])
        insert = f"INSERT INTO {table} ({', '.join(columns)})"
        upsert = f"ON CONFLICT ({columns[0]}) DO UPDATE SET {updates}"
        rows = list(batch.values())
        batch.clear()
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                arrays = ", ".join(["%s::text[]"] * len(columns))
                sql = f"{insert} SELECT * FROM unnest({arrays}) {upsert}"  # noqa: S608 - names from the model
                cursor.execute(sql, [list(column) for column in zip(*rows, strict=True)])
                return
            # Statements of 500 rows: within SQLite's parameter limit, and small in memory.
            size = min(500, (connection.features.max_query_params or 999) // len(columns))
            row = f"({', '.join(['%s'] * len(columns))})"
            for start in range(0, len(rows), size):
                chunk = rows[start : start + size]
                sql = f"{insert} VALUES {', '.join([row] * len(chunk))} {upsert}"
                cursor.execute(sql, [value for values in chunk for value in values])
