"""A guest's credential for their room over HTTP: the guest token complete_chat returned."""

from typing import Annotated

from fastapi import Header

GuestToken = Annotated[str | None, Header(alias="X-Guest-Token", max_length=200, description="El guest_token")]
