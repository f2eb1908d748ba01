"""The page Gradio serves gets the zh-CN locale script first in its head; nothing else is touched."""

import asyncio

from assistant.present.zh_locale import SCRIPT, ChineseLocale, localised


def _serve(path: str, body: bytes, content_type: bytes = b"text/html; charset=utf-8") -> tuple[dict, bytes]:
    async def app(scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", content_type), (b"content-length", str(len(body)).encode())]})
        half = len(body) // 2
        await send({"type": "http.response.body", "body": body[:half], "more_body": True})
        await send({"type": "http.response.body", "body": body[half:]})

    sent: list[dict] = []

    async def send(message) -> None:  # type: ignore[no-untyped-def]
        sent.append(message)

    async def receive() -> dict:
        return {"type": "http.request"}

    scope = {"type": "http", "method": "GET", "path": path}
    asyncio.run(ChineseLocale(app)(scope, receive, send))
    start = sent[0]
    return dict(start["headers"]), b"".join(m.get("body", b"") for m in sent[1:])


def test_the_page_gets_the_script_before_anything_else_in_its_head() -> None:
    page = b'<!doctype html><html lang="en"><head><script src="gradio.js"></script></head><body></body></html>'
    headers, out = _serve("/", page)
    assert out.index(SCRIPT.encode()) < out.index(b"gradio.js") and b'lang="zh-CN"' in out
    assert int(headers[b"content-length"]) == len(out) == len(localised(page))


def test_other_paths_and_other_content_are_left_alone() -> None:
    page = b"<html><head></head></html>"
    assert _serve("/config", page)[1] == page
    assert _serve("/", b'{"a": "<head>"}', b"application/json")[1] == b'{"a": "<head>"}'
    assert localised(b"no head here") == b"no head here"
