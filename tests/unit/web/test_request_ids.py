"""A request's id: the client's X-Request-ID when sane, else a new UUID."""

import uuid

import pytest

from web.observability.request_ids import request_id


@pytest.mark.parametrize("sent", ["a", "req-1", "A.b_c-9", "x" * 128, "01HZX3K4T5R6Y7U8I9O0P1A2S3",
                                  str(uuid.uuid4())])
def test_a_sane_id_is_kept(sent):
    assert request_id(sent) == sent


@pytest.mark.parametrize("sent", [
    None, "", "x" * 129, "two words", 'quote"', "new\nline", "tab\t", "semi;colon", "slash/", "percent%41",
    "é", "\x00", "{\"forged\": true}", "a\r\nINFO:     forged line",
])
def test_anything_else_gets_a_new_uuid(sent):
    made = request_id(sent)
    assert made != sent and uuid.UUID(made).version == 4 and str(uuid.UUID(made)) == made


def test_each_made_id_is_new():
    assert request_id(None) != request_id(None)
