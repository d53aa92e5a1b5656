"""`Cache-Control: no-store` on every answer to a request that carries credentials."""

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class NoStoreWithCredentialsMiddleware:
    """What a key may read is nobody else's to cache, so no cache may keep it: this replaces the
    `no-cache` that reads otherwise carry. Added outside the ETag middleware so it has the last
    word; the `ETag` stays, for clients that revalidate on their own."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or "authorization" not in Headers(scope=scope):
            await self.app(scope, receive, send)
            return

        async def send_no_store(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)["cache-control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_no_store)
