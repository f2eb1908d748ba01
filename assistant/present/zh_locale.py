"""Gradio's own labels in Chinese whatever language the browser asks for.

Gradio's page picks its locale from ``navigator.language`` as its scripts start. The page is
rendered by the server, so this ASGI middleware puts a script first in its ``<head>``, before
any of Gradio's, that makes the browser's language read zh-CN, and marks the page ``lang="zh-CN"``
(screen readers and fonts follow it). Only the page itself (GET ``/``) is touched.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

LOCALE = "zh-CN"
SCRIPT = (
    "<script>(function(){try{var p=Navigator.prototype;"
    f"Object.defineProperty(p,'language',{{get:function(){{return '{LOCALE}';}},configurable:true}});"
    f"Object.defineProperty(p,'languages',{{get:function(){{return ['{LOCALE}','zh'];}},configurable:true}});"
    "}catch(e){}})();</script>"
)


def localised(page: bytes) -> bytes:
    """The page with the locale script first in its head and its language marked zh-CN."""
    head = page.find(b"<head>")
    if head < 0:
        return page
    at = head + len(b"<head>")
    out = page[:at] + SCRIPT.encode() + page[at:]
    return out.replace(b'lang="en"', f'lang="{LOCALE}"'.encode(), 1)


class ChineseLocale:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") != "GET" or scope.get("path") not in ("/", ""):
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        body: list[bytes] = []

        async def rewrite(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            if message["type"] != "http.response.body" or start is None:
                await send(message)
                return
            body.append(message.get("body", b""))
            if message.get("more_body"):
                return
            headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
            page = b"".join(body)
            if any(k.lower() == b"content-type" and v.startswith(b"text/html") for k, v in headers):
                page = localised(page)
            await send({**start, "headers": [*headers, (b"content-length", str(len(page)).encode())]})
            await send({"type": "http.response.body", "body": page})

        await self.app(scope, receive, rewrite)
