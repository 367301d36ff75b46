"""Argon2id via pwdlib (passlib is unmaintained and breaks with current bcrypt)."""

import asyncio
import contextlib
import os
import threading
from concurrent.futures import ThreadPoolExecutor

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from auth.config import settings

# argon2-cffi's RFC 9106 "low memory" profile: t=3, m=64 MiB, p=4.
hasher = PasswordHash((Argon2Hasher(time_cost=3, memory_cost=65536, parallelism=4),))

# Verified against when the account does not exist, so timing does not reveal usernames.
DUMMY_HASH = hasher.hash("not-a-real-password")


def _lower_priority() -> None:
    # Linux: niceness is per thread, and the lanes' threads Argon2 starts inherit it, so
    # request handling on the event loop wins the CPU over a hash in progress.
    with contextlib.suppress(OSError, AttributeError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), _HASHING_NICENESS)


# Each Argon2 run takes ~100 ms of CPU and 64 MiB: in worker threads (argon2-cffi releases the
# GIL), so the event loop keeps answering; at most `password_hash_concurrency` at once.
_HASHING_NICENESS = 10
_workers = ThreadPoolExecutor(
    max_workers=settings.password_hash_concurrency, thread_name_prefix="argon2", initializer=_lower_priority
)


async def hash_password(password: str) -> str:
    return await asyncio.get_running_loop().run_in_executor(_workers, hasher.hash, password)


async def verify_password(password: str, password_hash: str) -> bool:
    return await asyncio.get_running_loop().run_in_executor(_workers, hasher.verify, password, password_hash)
