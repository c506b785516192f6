"""API tokens and the server key they are hashed with."""

import os
import stat
import threading

import pytest

from fintrace_pipeline.tokens import new_token, server_key, token_digest


def test_tokens_are_long_random_and_url_safe():
    tokens = [new_token() for _ in range(200)]
    assert len(set(tokens)) == 200
    assert all(t.startswith("ft_") and len(t) == 46 for t in tokens)
    assert all(set(t[3:]) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") for t in tokens)


def test_the_digest_is_hmac_sha256_of_the_token_under_the_key():
    # RFC 4231, test case 2.
    assert token_digest(b"Jefe", "what do ya want for nothing?") == (
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    )
    assert token_digest(b"key", "token") != token_digest(b"other", "token")


def test_a_configured_key_is_used_as_it_is(tmp_path):
    assert server_key("a-configured-key-of-some-length", tmp_path) == b"a-configured-key-of-some-length"
    assert not (tmp_path / "secret_key").exists()
    with pytest.raises(ValueError, match="at least 16"):
        server_key("short", tmp_path)


def test_without_one_a_private_key_file_is_made_once_and_kept(tmp_path):
    var = tmp_path / "var"
    first = server_key(None, var)
    path = var / "secret_key"
    assert len(first) == 64 and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert server_key(None, var) == first
    assert os.listdir(var) == ["secret_key"]  # no temporary file left behind


def test_processes_starting_at_once_agree_on_one_key(tmp_path):
    keys, barrier = [], threading.Barrier(8)

    def start():
        barrier.wait()
        keys.append(server_key(None, tmp_path))

    threads = [threading.Thread(target=start) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(keys)) == 1 and sorted(os.listdir(tmp_path)) == ["secret_key"]
