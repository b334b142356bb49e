"""The upload pipeline against a scripted server: skipping, stopping."""

import asyncio
import functools
import hashlib
import json
import re

import httpx
import pytest

from gallery.formats import NOT_PHOTO_SUFFIXES
from gallery.limits import UPLOAD_REJECTIONS
from imagerepo_client import cli, upload
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


def fake_server(known=(), allowance=100, checks=None, refused=(), unstored=()):
    """check-hashes knows ``known`` (and appends each body to ``checks``);
    uploads succeed ``allowance`` times, then answer as the server does when
    the hourly upload limit is reached; files named in ``refused`` are
    refused as no image, those in ``unstored`` as a storage failure."""
    sent = []

    def handle(request):
        if request.url.path.endswith("/me/"):
            return httpx.Response(200, json={"username": "carol", "token_name": "t"})
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
        if name_sent(request) in refused:
            result = outcome("f", "rejected", "not_an_image", "Not an image.")
            error = {"code": result["code"], "message": result["message"]}
            return httpx.Response(400, json={**error, "results": [result]})
        if name_sent(request) in unstored:
            result = outcome("f", "rejected", "storage_failed", "Not stored.")
            error = {"code": result["code"], "message": result["message"]}
            return httpx.Response(400, json={**error, "results": [result]})
        if len(sent) > allowance:
            result = outcome("f", "rejected", "upload_rate_limited", "Hourly limit.")
            error = {"code": result["code"], "message": result["message"]}
            return httpx.Response(429, json={**error, "results": [result]})
        result = outcome("f", "created", "created", image={})
        return httpx.Response(201, json={"results": [result]})

    return httpx.MockTransport(handle), sent


def name_sent(request):
    return re.search(rb'filename="([^"]+)"', request.read()).group(1).decode()


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


def test_a_copy_of_a_refused_file_is_refused_too(tmp_path):
    # Two copies of one damaged file: both refused (the second was counted
    # a duplicate of what never went in), one sent.
    names = ["a.jpg", "b.jpg"]
    for name in names:
        (tmp_path / name).write_bytes(b"damaged")
    transport, sent = fake_server(refused={names[0]})
    counts, seen = run_upload(transport, [tmp_path / name for name in names])
    assert counts == {"rejected": 2}
    assert [outcome.reason for outcome in seen] == ["Not an image."] * 2
    assert len(sent) == 1


def test_a_copy_is_sent_when_the_first_failed_for_no_fault_of_its_bytes(tmp_path):
    for name in ("a.jpg", "b.jpg", "c.jpg"):
        (tmp_path / name).write_bytes(b"good")
    transport, sent = fake_server(unstored={"a.jpg"})
    paths = [tmp_path / name for name in ("a.jpg", "b.jpg", "c.jpg")]
    counts, seen = run_upload(transport, paths)
    assert counts == {"rejected": 1, "uploaded": 1, "duplicate": 1}
    assert [name_sent(request) for request in sent] == ["a.jpg", "b.jpg"]
    assert {o.path.name: o.status for o in seen} == {
        "a.jpg": "rejected",
        "b.jpg": "uploaded",
        "c.jpg": "duplicate",
    }


def test_a_name_in_another_encoding_is_sent_without_its_stray_bytes(tmp_path):
    # Python keeps a Latin-1 "é" of a file name as a lone surrogate, which
    # UTF-8 cannot carry: the request failed to be built, every time.
    path = tmp_path / b"caf\xe9.jpg".decode("utf-8", "surrogateescape")
    path.write_bytes(b"image")
    transport, sent = fake_server()
    counts, _ = run_upload(transport, [path])
    assert counts == {"uploaded": 1}
    assert name_sent(sent[0]) == "caf.jpg"


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


@pytest.fixture
def export(tmp_path):
    """A photo export: two photos, a sidecar beside one, a phone video."""
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "IMG_0001.jpg").write_bytes(b"image 1")
    (folder / "IMG_0001.jpg.json").write_bytes(b'{"title": "IMG_0001.jpg"}')
    (folder / "IMG_0002.jpg").write_bytes(b"image 2")
    (folder / "IMG_0003.MOV").write_bytes(b"\x00\x00\x00\x14ftypqt  ")
    return folder


def test_the_refusals_a_copy_inherits_are_the_servers():
    assert upload.REJECTED_FOR_ITS_BYTES.issubset(UPLOAD_REJECTIONS)


def test_the_client_leaves_out_what_import_images_leaves_out():
    assert upload.NOT_PHOTO_SUFFIXES == NOT_PHOTO_SUFFIXES


def test_files_that_are_no_photos_are_neither_hashed_nor_sent(export, monkeypatch):
    hashed, real_sha256_of = [], upload.sha256_of

    def sha256_of(path):
        hashed.append(path.name)
        return real_sha256_of(path)

    monkeypatch.setattr(upload, "sha256_of", sha256_of)
    checks = []
    transport, sent = fake_server(checks=checks)
    counts, seen = run_upload(transport, sorted(export.iterdir()))
    assert counts == {"uploaded": 2, "skipped": 2}
    assert sorted(hashed) == ["IMG_0001.jpg", "IMG_0002.jpg"]
    assert [len(body["sha256"]) for body in checks] == [2]
    assert sorted(map(name_sent, sent)) == ["IMG_0001.jpg", "IMG_0002.jpg"]
    # Every file walked is reported once, so the progress bar ends full.
    assert sorted(o.path.name for o in seen if o.status == "skipped") == [
        "IMG_0001.jpg.json",
        "IMG_0003.MOV",
    ]
    assert len(seen) == 4


def upload_with(transport, monkeypatch, capsys, *args):
    monkeypatch.setattr(
        cli, "ImageRepo", functools.partial(ImageRepo, transport=transport)
    )
    status = cli.main(["upload", "--url", "http://site", "--token", "tok", *args])
    out, err = capsys.readouterr()
    return status, out, err


def test_a_folder_with_sidecars_and_videos_uploads_cleanly(export, monkeypatch, capsys):
    transport, sent = fake_server()
    status, out, err = upload_with(transport, monkeypatch, capsys, str(export))
    assert status == 0
    assert out.strip() == (
        "2 uploaded, 0 duplicates, 0 rejected, 2 skipped (not photos)."
    )
    assert err == ""  # a sidecar for every photo would drown what matters
    assert sorted(map(name_sent, sent)) == ["IMG_0001.jpg", "IMG_0002.jpg"]


def test_verbose_names_each_file_left_out(export, monkeypatch, capsys):
    transport, _ = fake_server()
    status, _, err = upload_with(transport, monkeypatch, capsys, "-v", str(export))
    assert status == 0
    lines = [line.split(None, 1) for line in err.splitlines()]
    assert sorted(rest for what, rest in lines if what == "skipped") == [
        f"{export / 'IMG_0001.jpg.json'}: not a photo (.json): left out",
        f"{export / 'IMG_0003.MOV'}: not a photo (.mov): left out",
    ]
    assert [what for what, _ in lines].count("uploaded") == 2


def test_a_file_named_on_the_command_line_is_left_out_too(export, monkeypatch, capsys):
    # As import_images does with a single named file: the name decides.
    transport, sent = fake_server()
    status, out, _ = upload_with(
        transport, monkeypatch, capsys, str(export / "IMG_0003.MOV")
    )
    assert (status, out.strip()) == (
        0,
        "0 uploaded, 0 duplicates, 0 rejected, 1 skipped (not photos).",
    )
    assert sent == []


def test_a_rejection_beside_skipped_files_still_fails_the_run(
    export, monkeypatch, capsys
):
    (export / "broken.jpg").write_bytes(b"no image")
    transport, _ = fake_server(refused={"broken.jpg"})
    status, out, err = upload_with(transport, monkeypatch, capsys, str(export))
    assert status == 1
    assert out.strip() == (
        "2 uploaded, 0 duplicates, 1 rejected, 2 skipped (not photos)."
    )
    assert "broken.jpg: Not an image." in err
    assert "IMG_0003.MOV" not in err
