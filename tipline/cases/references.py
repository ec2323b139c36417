"""Public reference codes and PINs.

A reference code is digits only (easy on a keypad and to read back), ending in a Damm check digit: any single
wrong digit and any swap of two neighbouring digits is caught before the database is even asked. The PIN is
stored only as a salted hash keyed with the data keys.
"""

from __future__ import annotations

import hmac
import secrets

from tipline.crypto import DataCipher

# Damm's totally anti-symmetric quasigroup of order 10.
_DAMM = (
    (0, 3, 1, 7, 5, 9, 8, 6, 4, 2),
    (7, 0, 9, 2, 1, 5, 4, 8, 6, 3),
    (4, 2, 0, 6, 8, 7, 1, 3, 5, 9),
    (1, 7, 5, 0, 9, 8, 3, 4, 2, 6),
    (6, 1, 2, 3, 0, 4, 5, 9, 7, 8),
    (3, 6, 7, 4, 2, 0, 9, 5, 8, 1),
    (5, 8, 6, 9, 7, 2, 0, 1, 3, 4),
    (8, 9, 4, 5, 3, 6, 2, 0, 1, 7),
    (9, 4, 3, 8, 6, 1, 7, 2, 0, 5),
    (2, 5, 8, 1, 4, 3, 6, 7, 9, 0),
)
REFERENCE_LENGTH = 8  # seven random digits and the check digit
PIN_LENGTH = 4


def damm_digit(digits: str) -> int:
    interim = 0
    for char in digits:
        interim = _DAMM[interim][int(char)]
    return interim


def new_reference() -> str:
    body = "".join(secrets.choice("0123456789") for _ in range(REFERENCE_LENGTH - 1))
    if body[0] == "0":  # a leading zero is easily dropped when said or written down
        body = str(secrets.choice("123456789")) + body[1:]
    return body + str(damm_digit(body))


def is_well_formed(reference: str) -> bool:
    return len(reference) == REFERENCE_LENGTH and reference.isdigit() and damm_digit(reference) == 0


def new_pin() -> str:
    return "".join(secrets.choice("0123456789") for _ in range(PIN_LENGTH))


def hash_pin(pin: str, cipher: DataCipher) -> str:
    """A salted hash keyed with the data keys: without the keys, ten thousand guesses are worth nothing."""
    salt = secrets.token_hex(8)
    return f"k1${salt}${cipher.lookup_hash(f'pin:{salt}:{pin}')}"


def pin_matches(pin: str, stored: str, cipher: DataCipher) -> bool:
    try:
        scheme, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "k1":
        return False
    return any(hmac.compare_digest(candidate, digest) for candidate in cipher.lookup_hashes(f"pin:{salt}:{pin}"))
