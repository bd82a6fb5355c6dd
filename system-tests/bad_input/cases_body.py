"""Bad bodies for POST /count, each sent with a correct `Content-Type: application/json`: the strict
validator must answer with the documented 400/413 code and queue nothing."""
from checks import accepts, rejects
from raw_http import post_json

MAX_BODY_BYTES = 1024  # the Producer under test runs with this limit (run.py sets it)


def padded_to(size, value):
    """`{"count": value}` with spaces before the closing brace, exactly `size` bytes long."""
    start = b'{"count": %d' % value
    return start + b" " * (size - len(start) - 1) + b"}"


# (case name, body, error code): every one a 400.
BAD_BODIES = [
    ("invalid_json", b"{count: 1}", "malformed_json"),
    ("truncated_json", b'{"count": 12', "malformed_json"),
    ("trailing_comma", b'{"count": 1,}', "malformed_json"),
    ("trailing_garbage", b'{"count": 1} x', "malformed_json"),
    ("two_documents", b'{"count": 1}{"count": 2}', "malformed_json"),
    ("whitespace_only_body", b"   \r\n ", "malformed_json"),
    ("count_string", b'{"count": "5"}', "wrong_type"),
    ("count_float", b'{"count": 1.5}', "wrong_type"),
    ("count_4_point_0", b'{"count": 4.0}', "wrong_type"),
    ("count_exponent_1e3", b'{"count": 1e3}', "wrong_type"),
    ("count_bool", b'{"count": true}', "wrong_type"),
    ("count_null", b'{"count": null}', "wrong_type"),
    ("count_leading_zero", b'{"count": 012}', "malformed_json"),
    ("count_plus_sign", b'{"count": +1}', "malformed_json"),
    ("count_nan", b'{"count": NaN}', "malformed_json"),
    ("count_overflow_int64_max_plus_1", b'{"count": 9223372036854775808}', "out_of_range"),
    ("count_underflow_int64_min_minus_1", b'{"count": -9223372036854775809}', "out_of_range"),
    ("count_300_digits", b'{"count": ' + b"9" * 300 + b"}", "out_of_range"),
    ("missing_field", b"{}", "missing_count"),
    ("misspelled_field", b'{"cnt": 1}', "unexpected_field"),
    ("extra_field", b'{"count": 1, "extra": 2}', "unexpected_field"),
    ("duplicate_keys", b'{"count": 1, "count": 2}', "malformed_json"),
    ("count_nested_object", b'{"count": {"value": 1}}', "wrong_type"),
    ("count_in_array", b'{"count": [1]}', "wrong_type"),
    ("array_at_top_level", b'[{"count": 1}]', "wrong_type"),
    ("number_at_top_level", b"5", "wrong_type"),
    ("nesting_1000_in_limit", b'{"count": ' + b"[" * 1000 + b"}", "malformed_json"),
    ("invalid_utf8_in_string", b'{"count": "\xff\xfe"}', "malformed_json"),
    ("invalid_utf8_in_key", b'{"co\xc3\x28unt": 1}', "malformed_json"),
    ("overlong_utf8_in_key", b'{"\xc0\xaf": 1}', "malformed_json"),
    ("utf8_surrogate_in_key", b'{"\xed\xa0\x80": 1}', "malformed_json"),
    ("nul_byte_after_json", b'{"count": 1}\x00', "malformed_json"),
    ("nul_byte_in_key", b'{"count\x00": 1}', "malformed_json"),
]

CASES = [rejects(name, post_json(body), 400, code) for name, body, code in BAD_BODIES] + [
    rejects("empty_body", post_json(b""), 400, "empty_body"),
    rejects("body_over_limit_by_1", post_json(padded_to(MAX_BODY_BYTES + 1, 1)), 413, "body_too_large"),
    rejects("nesting_100000_over_limit", post_json(b"[" * 100_000), 413, "body_too_large"),
    # The limit itself is a size that must still work, or the 413 above would prove nothing.
    accepts("body_at_limit_accepted", lambda value: post_json(padded_to(MAX_BODY_BYTES, value))),
]

# Against a second Producer with MAX_BODY_BYTES=1048576, so a 100 000-deep body reaches the parser
# (with 1024 bytes the size check answers first): the nesting cap must stop it, not the stack.
DEEP_CASES = [
    rejects("nesting_100000_arrays_at_parser", post_json(b"[" * 100_000), 400, "malformed_json", producer="roomy"),
    rejects("nesting_50000_objects_at_parser", post_json(b'{"a":' * 50_000), 400, "malformed_json", producer="roomy"),
]
