"""state.json's encoding: written in one pass of the encoder, it is exactly the canonical
JSON of the body with its digest in sorted place, and the digest is that of the body."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from logos.live.snapshot import _encode

# Keys on either side of "digest" in sorted order, and ones that share its prefix.
keys = st.one_of(st.sampled_from(["a", "cash", "dig", "digesta", "digest_", "digest0", "e", "seq", "shell", "Z"]), st.text(max_size=6))
leaves = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=8))
values = st.recursive(
    leaves, lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=4), inner, max_size=3)), max_leaves=12
)
bodies = st.dictionaries(keys.filter(lambda key: key != "digest"), values, max_size=8)


def canonical(body: dict[str, Any]) -> str:
    return json.dumps(body, sort_keys=True, separators=(",", ":"))


@given(body=bodies, stale=st.booleans())
def test_snapshot_text_is_the_canonical_json_of_the_body_with_the_digest_of_the_body(body, stale):
    # Arrange: a body as a snapshot builds it; sometimes still holding an earlier digest
    given_body = dict(body, digest="sha256:old") if stale else dict(body)

    # Act
    data = _encode(given_body)

    # Assert: what a second full encoding with the digest set would have written
    digest = "sha256:" + hashlib.sha256(canonical(body).encode()).hexdigest()
    assert data == (canonical({**body, "digest": digest}) + "\n").encode()
    assert given_body == {**body, "digest": digest}
    read = json.loads(data)
    assert read.pop("digest") == digest and read == json.loads(canonical(body))
