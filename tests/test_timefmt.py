import pytest
from hypothesis import given
from hypothesis import strategies as st

from tui.core.timefmt import format_range, format_time, parse_time
from tui.errors import TimeFormatError


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("0", 0), ("45", 45), ("90", 90), ("1:05", 65), ("01:05", 65), ("1:05:30", 3930), ("12.5", 12.5), (" 2:00 ", 120)],
)
def test_times_people_type(text, seconds):
    assert parse_time(text) == seconds


@pytest.mark.parametrize("text", ["", "x", "1:2:3:4", "-5", "1:60", "1:60:00", "5m", "1,5", "::", "٣", "１２", "1:٣٠"])
def test_nonsense_is_refused_with_the_accepted_forms(text):
    with pytest.raises(TimeFormatError, match="not a time"):
        parse_time(text)


def test_time_past_the_end_is_refused():
    with pytest.raises(TimeFormatError, match="past the end"):
        parse_time("5:00", duration=120)
    assert parse_time("2:00", duration=120) == 120


@pytest.mark.parametrize(("seconds", "text"), [(0, "00:00"), (65.9, "01:05"), (3725, "1:02:05"), (-3, "00:00")])
def test_format(seconds, text):
    assert format_time(seconds) == text


def test_range_shows_end_only_when_after_start():
    assert format_range(65, 80) == "01:05–01:20"
    assert format_range(65, None) == "01:05"
    assert format_range(65, 65) == "01:05"


@given(st.integers(min_value=0, max_value=99 * 3600))
def test_format_then_parse_round_trips(seconds):
    assert parse_time(format_time(seconds)) == seconds


@given(st.text(max_size=20))
def test_parse_never_raises_anything_but_a_clear_error(text):
    try:
        value = parse_time(text)
    except TimeFormatError:
        return
    assert value >= 0
