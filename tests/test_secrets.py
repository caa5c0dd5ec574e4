"""Secrets are shown only as a masked hint and scrubbed from any text that leaves."""

from __future__ import annotations

import logging
import pickle

import pytest

from logos.config.secrets import Secret, ScrubFilter, mask, scrub, scrubbed_vendor_logs

PLANTED = "SECRETKEY-PLANTED-9f3a"


def test_mask_with_long_value_shows_at_most_last_two_characters():
    assert mask(PLANTED) == "****3a"


def test_mask_with_short_value_shows_nothing_of_it():
    assert mask("abc") == "****"
    assert mask("") == "(not set)"
    assert mask(None) == "(not set)"


def test_secret_with_every_rendering_never_shows_the_value():
    # Arrange
    secret = Secret(PLANTED)

    # Act
    renderings = [repr(secret), str(secret), f"{secret}", f"{secret:>20}", "%s" % secret, repr([secret]), repr({"k": secret})]

    # Assert
    assert all(PLANTED not in text for text in renderings)
    assert secret.reveal() == PLANTED
    assert secret.hint == "****3a"


def test_secret_with_pickle_refuses():
    with pytest.raises(TypeError):
        pickle.dumps(Secret(PLANTED))


def test_secret_with_assignment_refuses():
    with pytest.raises(AttributeError):
        Secret(PLANTED)._value = "x"  # type: ignore[misc]


def test_scrub_with_raw_and_url_encoded_secret_masks_both():
    # Arrange
    secret = "abc+/=SECRET-xyz"
    text = f"GET https://x/api?key=abc%2B%2F%3DSECRET-xyz header={secret} form=abc%2B%2F%3DSECRET-xyz"

    # Act
    clean = scrub(text, [Secret(secret)])

    # Assert
    assert "SECRET" not in clean
    assert clean.count("****yz") == 3


def test_scrub_with_nested_secrets_masks_the_longer_first():
    assert scrub("key=LONGSECRET-abcdef", ["LONGSECRET-abcdef", "SECRET-abcdef"]) == "key=****ef"


def test_scrub_filter_with_args_and_exception_masks_the_record(caplog):
    # Arrange
    logger = logging.getLogger("test.scrub")
    logger.addFilter(ScrubFilter([PLANTED]))
    caplog.set_level(logging.DEBUG)

    # Act
    try:
        raise RuntimeError(f"bad key {PLANTED}")
    except RuntimeError:
        logger.exception("request headers %s", {"X-KEY": PLANTED})

    # Assert
    assert PLANTED not in caplog.text
    assert "****3a" in caplog.text


def test_scrubbed_vendor_logs_with_ccxt_debug_record_masks_it(caplog):
    caplog.set_level(logging.DEBUG)
    with scrubbed_vendor_logs([Secret(PLANTED)]):
        logging.getLogger("ccxt.base.exchange").debug("GET %s, Request: %s", "https://x", {"X-MBX-APIKEY": PLANTED})
    assert PLANTED not in caplog.text
    assert not logging.getLogger("ccxt.base.exchange").filters
