from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from tipline.crypto import DataCipher, DecryptionError


def test_values_round_trip_and_are_not_stored_in_clear() -> None:
    cipher = DataCipher([Fernet.generate_key().decode()])
    token = cipher.encrypt("+15145559876")
    assert b"5559876" not in token
    assert cipher.decrypt_text(token) == "+15145559876"


def test_rotation_the_first_key_encrypts_and_every_key_decrypts() -> None:
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    before = DataCipher([old_key])
    written_before = before.encrypt("transcript")
    after = DataCipher([new_key, old_key])
    assert after.decrypt_text(written_before) == "transcript"
    rotated = after.rotate(written_before)
    assert DataCipher([new_key]).decrypt_text(rotated) == "transcript"
    with pytest.raises(DecryptionError):
        DataCipher([new_key]).decrypt_text(written_before)


def test_lookup_hashes_still_match_during_a_rotation() -> None:
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    stored = DataCipher([old_key]).lookup_hash("+15145559876")
    assert stored in DataCipher([new_key, old_key]).lookup_hashes("+15145559876")
    assert DataCipher([new_key, old_key]).lookup_hash("+15145559876") != stored
    assert "5559876" not in stored


def test_a_cipher_needs_a_key() -> None:
    with pytest.raises(ValueError):
        DataCipher([])
