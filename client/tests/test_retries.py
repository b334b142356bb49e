"""Retries and backoff, against a scripted transport (no server, no waiting)."""

import asyncio

import httpx
import pytest

from imagerepo_client.api import ApiError, ImageRepo, retry_delay

ME = {"username": "carol", "token_name": "t"}


def scripted(*steps):
    """A transport answering with ``steps`` in turn (a status, a
    ``(status, headers)`` pair, or an exception to raise)."""
    calls = []

    def handle(request):
        step = steps[len(calls)]
        calls.append(request)
        if isinstance(step, Exception):
            raise step
        status, headers = step if isinstance(step, tuple) else (step, {})
        body = ME if status == 200 else {"code": "x", "message": f"status {status}"}
        return httpx.Response(status, json=body, headers=headers)

    return httpx.MockTransport(handle), calls


def call_me(transport, retries=5):
    slept = []

    async def sleep(seconds):
        slept.append(seconds)

    async def go():
        async with ImageRepo(
            "http://site", "tok", retries=retries, sleep=sleep, transport=transport
        ) as api:
            return await api.me()

    return asyncio.run(go()), slept


def test_retry_after_is_respected_on_429():
    transport, calls = scripted((429, {"Retry-After": "7"}), 200)
    result, slept = call_me(transport)
    assert result == ME
    assert slept == [7.0]
    assert calls[0].headers["Authorization"] == "Bearer tok"


def test_server_errors_back_off_exponentially():
    transport, calls = scripted(503, 502, 500, 200)
    result, slept = call_me(transport)
    assert result == ME and len(calls) == 4
    assert len(slept) == 3
    for attempt, seconds in enumerate(slept):
        # 0.5 s doubled each time, with up to half taken off as jitter.
        assert 0.25 * 2**attempt <= seconds <= 0.5 * 2**attempt


def test_connection_errors_are_retried():
    transport, calls = scripted(httpx.ConnectError("refused"), 200)
    result, slept = call_me(transport)
    assert result == ME and len(slept) == 1


def test_gives_up_after_the_retries():
    transport, calls = scripted(503, 503, 503)
    with pytest.raises(ApiError) as error:
        call_me(transport, retries=2)
    assert error.value.status == 503 and len(calls) == 3


def test_client_errors_are_not_retried():
    transport, calls = scripted(400, 200)
    with pytest.raises(ApiError, match="status 400"):
        call_me(transport)
    assert len(calls) == 1


def test_backoff_is_capped():
    assert retry_delay(30) <= 30
    assert retry_delay(0, httpx.Response(429, headers={"Retry-After": "junk"})) <= 0.5


def test_an_upload_retry_sends_the_whole_file_again(tmp_path):
    photo = tmp_path / "a.jpg"
    photo.write_bytes(b"the bytes of a photo")
    bodies = []

    def handle(request):
        bodies.append(request.read())
        if len(bodies) == 1:
            return httpx.Response(503, json={"code": "x", "message": "busy"})
        result = {
            "name": "a.jpg",
            "outcome": "created",
            "code": "created",
            "message": "Added.",
            "image": {},
        }
        return httpx.Response(201, json={"results": [result]})

    async def go():
        async with ImageRepo(
            "http://site", "tok", transport=httpx.MockTransport(handle), sleep=nap
        ) as api:
            return await api.upload(photo, visibility="public", description="")

    async def nap(seconds):
        pass

    assert asyncio.run(go())["outcome"] == "created"
    assert len(bodies) == 2
    assert all(b"the bytes of a photo" in body for body in bodies)
