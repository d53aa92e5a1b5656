"""`GET /`: the explorer page. The page is static; its scripts read the public JSON API."""

from functools import cache
from importlib.resources import files

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

router = APIRouter()

PAGE = "index.html"
# The page loads its scripts, styles, world outline and data from this service only; the browser
# refuses anything else, so a stray external URL shows up as an error instead of a leak.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)


@cache
def page_html() -> str:
    return (files("sanctions_tracker") / "static" / "explorer" / PAGE).read_text("utf-8")


@router.get("/", include_in_schema=False, response_class=HTMLResponse)
def explorer() -> HTMLResponse:
    return HTMLResponse(
        page_html(),
        headers={
            "Content-Security-Policy": CONTENT_SECURITY_POLICY,
            "X-Content-Type-Options": "nosniff",
        },
    )
