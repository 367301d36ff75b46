"""Argon2id via pwdlib (passlib is unmaintained and breaks with current bcrypt)."""

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

# argon2-cffi's RFC 9106 "low memory" profile: t=3, m=64 MiB, p=4.
hasher = PasswordHash((Argon2Hasher(time_cost=3, memory_cost=65536, parallelism=4),))

# Verified against when the account does not exist, so timing does not reveal usernames.
DUMMY_HASH = hasher.hash("not-a-real-password")


def hash_password(password: str) -> str:
    return hasher.hash(password)


def verify_password(password: str, password_hash: str) -> bool:
    return hasher.verify(password, password_hash)
