"""`/console/`: who is signed in, in which workspace, with which role, and the pages they may open."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from console.access import UserDep
from console.nav import visible
from console.templating import render

router = APIRouter(prefix="/console", include_in_schema=False)


@router.get("/")
async def home(request: Request, user: UserDep) -> Response:
    pages = [item for item in visible(user) if item.href != "/console/"]
    return render(request, "home/index.html", {"pages": pages})
