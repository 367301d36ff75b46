"""FastAPI dependencies for what a service keeps on `app.state` at start-up: its cipher for
secrets at rest (`app.state.secret_cipher`) and its outbound policy for users' URLs
(`app.state.outbound_policy`)."""

from typing import Annotated

from fastapi import Depends, Request

from shared.crypto import SecretCipher
from shared.outbound import OutboundPolicy

__all__ = ["CipherDep", "OutboundPolicyDep"]


def _cipher(request: Request) -> SecretCipher:
    cipher: SecretCipher = request.app.state.secret_cipher
    return cipher


def _outbound_policy(request: Request) -> OutboundPolicy:
    policy: OutboundPolicy = request.app.state.outbound_policy
    return policy


CipherDep = Annotated[SecretCipher, Depends(_cipher)]
OutboundPolicyDep = Annotated[OutboundPolicy, Depends(_outbound_policy)]
