"""The upload pipeline against a scripted server: skipping, stopping."""

import asyncio
import hashlib
import json

import httpx
import pytest

from imagerepo_client.api import ImageRepo
from imagerepo_client.upload import Uploader, UploadStopped


def outcome(name, outcome, code, message="", image=None):
    return {
        "name": name,
        "outcome": outcome,
        "code": code,
        "message": message,
        "image": image,
    }


def fake_server(known=(), allowance=100, checks=None):
    """check-hashes knows ``known`` (and appends each body to ``checks``);
    uploads succeed ``allowance`` times, then answer as the server does when
    the hourly upload limit is reached."""
    sent = []

    def handle(request):
        if request.url.path.endswith("check-hashes/"):
            asked = json.loads(request.content)["sha256"]
            if checks is not None:
                checks.append(json.loads(request.content))
            existing = [
                {"sha256": h, **outcome(h, "duplicate", "duplicate")}
                for h in asked
                if h in known
            ]
            return httpx.Response(200, json={"existing": existing, "missing": []})
        sent.append(request)
        if len(sent) > allowance:
            result = outcome("f", "rejected", "upload_rate_limited", "Hourly limit.")
            error = {"code": result["code"], "message": result["message"]}
            return httpx.Response(429, json={**error, "results": [result]})
        result = outcome("f", "created", "created", image={})
        return httpx.Response(201, json={"results": [result]})

    return httpx.MockTransport(handle), sent


def run_upload(transport, paths, **options):
    seen = []

    async def go():
        async with ImageRepo("http://site", "tok", transport=transport) as api:
            uploader = Uploader(
                api,
                visibility="public",
                description="",
                concurrency=2,
                report=seen.append,
                **options,
            )
            stopped = False
            try:
                await uploader.run(iter(paths))
            except* UploadStopped:
                stopped = True
            return ("stopped", uploader.counts) if stopped else uploader.counts

    return asyncio.run(go()), seen


@pytest.fixture
def files(tmp_path):
    paths = []
    for i in range(5):
        path = tmp_path / f"{i}.jpg"
        path.write_bytes(f"image {i}".encode())
        paths.append(path)
    (tmp_path / "3 again.jpg").write_bytes(b"image 3")
    return [*paths, tmp_path / "3 again.jpg"]


def test_known_and_repeated_files_are_not_sent(files):
    known = {hashlib.sha256(b"image 0").hexdigest()}
    transport, sent = fake_server(known=known)
    counts, seen = run_upload(transport, files)
    assert counts == {"uploaded": 4, "duplicate": 2}
    assert len(sent) == 4  # not image 0 (the server has it), not "3 again"
    assert len(seen) == 6


def test_the_hourly_limit_stops_the_run(files):
    transport, sent = fake_server(allowance=2)
    (result, counts), _ = run_upload(transport, files)
    assert result == "stopped"
    assert counts["uploaded"] == 2
    # Stopped at once: not one retry, and at most the requests already in flight.
    assert len(sent) <= 2 + 2


def test_an_album_goes_with_every_check_and_upload(files):
    checks = []
    transport, sent = fake_server(
        known={hashlib.sha256(b"image 0").hexdigest()}, checks=checks
    )
    run_upload(transport, files, album="0f0f")
    assert checks and all(body["album"] == "0f0f" for body in checks)
    assert sent and all(b'name="album"\r\n\r\n0f0f' in r.read() for r in sent)
