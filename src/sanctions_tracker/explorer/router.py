"""`GET /`: the explorer page. The page is static; its scripts read the public JSON API."""

from functools import cache
from importlib.resources import files

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

router = APIRouter()

PAGE = "index.html"


@cache
def page_html() -> str:
    return (files("sanctions_tracker") / "static" / "explorer" / PAGE).read_text("utf-8")


@router.get("/", include_in_schema=False, response_class=HTMLResponse)
def explorer() -> HTMLResponse:
    return HTMLResponse(page_html())
