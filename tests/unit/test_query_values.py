import pytest

from ui.views import deeplink, query_values
from ui.views.playground_spec import fault_from_token
from ui.widgets import progress

NOT_ASCII_DIGITS = ["²", "①", "٣", "１", "1" * 4301, "\u202e1", "-1", "1e3", " ", ""]


@pytest.mark.parametrize("value", NOT_ASCII_DIGITS)
def test_a_number_is_ascii_digits_of_bounded_length_or_refused_in_words(value):
    assert query_values.whole_or_none(value, 0, 10**12) is None
    with pytest.raises(ValueError, match="expected a whole number"):
        query_values.whole(value, 0, 10**12)


def test_plain_numbers_in_range_are_read():
    assert query_values.whole(" 42 ", 0, 100) == 42
    assert query_values.whole_or_none("101", 0, 100) is None
    assert query_values.decimal("0.25", 0, 1) == 0.25
    with pytest.raises(ValueError):
        query_values.decimal("0.²", 0, 1)


def test_progress_reads_only_plain_lesson_numbers():
    assert progress.parse_done("1,²,①,3," + "9" * 5000) == {1, 3}
    assert progress.parse_answers("1.p.2,1.p.²,².p.1,1.c①.1") == {"1.p": 2}


@pytest.mark.parametrize("value", NOT_ASCII_DIGITS)
@pytest.mark.parametrize("key", sorted(deeplink.KEYS - {"scenario"}))
def test_a_link_value_never_raises(key, value):
    spec, notices = deeplink.decode({"scenario": "lost-ack", key: value}, ["lost-ack"])
    assert spec.scenario == "lost-ack"
    assert notices or not value.strip() or key in ("steps", "acks", "idem")


@pytest.mark.parametrize("token", ["p²:drop_response", "①:drop_response", "1:delay:²", "p0.1:drop_response:s①"])
def test_a_fault_token_with_unicode_digits_is_refused_in_words(token):
    try:
        fault = fault_from_token(token)
    except ValueError as exc:
        assert "fault" in str(exc) or "expected" in str(exc)
    else:
        assert "seed" not in fault  # s① is not a seed
