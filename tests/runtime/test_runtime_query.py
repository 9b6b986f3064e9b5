"""REST query values are re-encoded exactly as ``quote_plus`` would, whatever the fast path skips."""

from __future__ import annotations

from urllib.parse import quote_plus

from hypothesis import given
from hypothesis import strategies as st
from zappa_runtime.request_url import quote_value


@given(st.text(max_size=12))
def test_quote_value_equals_quote_plus(text):
    assert quote_value(text) == quote_plus(text)


def test_the_fast_path_keeps_unreserved_text_and_quotes_the_rest():
    assert [quote_value(t) for t in ("abc123", "a-b_c.d~e", "", "a b", "é", "²", "a/b", "%41")] == [
        "abc123", "a-b_c.d~e", "", "a+b", "%C3%A9", "%C2%B2", "a%2Fb", "%2541"]
