"""The command line without a server: what a wrong setup prints and returns."""

import asyncio
import io
import subprocess
import sys

import httpx
import pytest

from imagerepo_client.api import ApiError, ImageRepo
from imagerepo_client.cli import main
from imagerepo_client.listing import print_images

# Nothing listens on port 1: every connection is refused at once.
NO_SERVER = "http://127.0.0.1:1"


def run(capsys, *args):
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.mark.parametrize("output", [[], ["--json"]])
def test_a_server_that_is_down_prints_nothing_on_stdout(output, capsys):
    status, out, err = run(
        capsys, "list", "--url", NO_SERVER, "--retries", "0", *output
    )
    assert status == 2
    assert out == ""  # `list --json > images.json` is not left holding "["
    assert "cannot reach the server" in err
    assert "usage:" not in err  # the arguments were fine


def test_a_negative_limit_is_a_usage_error(capsys):
    status, out, err = run(capsys, "list", "--url", NO_SERVER, "--limit", "-1")
    assert (status, out) == (2, "")
    assert "usage:" in err
    assert "--limit cannot be negative" in err


async def failing_listing():
    raise ApiError(500, "http_error", "HTTP 500 Internal Server Error")
    yield  # an async generator that fails on its first page


@pytest.mark.parametrize("as_json", [False, True])
def test_a_listing_that_fails_at_once_prints_nothing(as_json):
    out = io.StringIO()
    with pytest.raises(ApiError):
        asyncio.run(print_images(failing_listing(), as_json=as_json, out=out))
    assert out.getvalue() == ""


async def no_images():
    return
    yield


@pytest.mark.parametrize(
    ("as_json", "printed"),
    [(True, "[]"), (False, "ID VISIBILITY OWNER SIZE CREATED TITLE\n0 images.")],
)
def test_an_empty_listing_is_still_a_table_or_json(as_json, printed):
    out = io.StringIO()
    asyncio.run(print_images(no_images(), as_json=as_json, out=out))
    assert _squeezed(out.getvalue()) == _squeezed(printed)


def _squeezed(text):
    return "\n".join(" ".join(line.split()) for line in text.splitlines())


def test_public_and_private_together_are_a_usage_error(capsys):
    with pytest.raises(SystemExit) as stop:
        main(
            ["upload", "--url", NO_SERVER, "--token", "t", "--public", "--private", "."]
        )
    assert stop.value.code == 2
    assert "not allowed with argument --public" in capsys.readouterr().err


@pytest.mark.parametrize(("command", "status"), [("list", 0), ("delete", 141)])
def test_a_reader_that_stops_early_is_no_error(command, status):
    # `imagerepo-client list --json | head`: head closes the pipe. A listing
    # cut short is what was asked; anything else ends as a shell would say.
    script = """
import sys
from imagerepo_client import cli

async def flood(args):
    for _ in range(100_000):
        print("x" * 80)
    return 0

cli.COMMANDS[sys.argv[1]] = flood
args = ["--url", "http://127.0.0.1:1", "--token", "t"]
more = ["3f0c9c52-0000-0000-0000-000000000000"] if sys.argv[1] == "delete" else []
sys.exit(cli.main([sys.argv[1], *args, *more]))
"""
    child = subprocess.Popen(
        [sys.executable, "-c", script, command],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    child.stdout.read(10)
    child.stdout.close()
    err = child.stderr.read()
    assert child.wait(timeout=30) == status
    assert err == b""


def test_ctrl_c_during_an_upload_says_how_far_it_got(tmp_path):
    # A real SIGINT, in a child, as a terminal sends it: asyncio turns it
    # into the cancelling of the upload, which still prints its counts.
    (tmp_path / "a.jpg").write_bytes(b"not sent")
    script = """
import asyncio, os, signal, sys
# As at a terminal: a job started in the background (CI's, say) is born
# ignoring SIGINT, and Python then leaves it ignored.
signal.signal(signal.SIGINT, signal.default_int_handler)
from imagerepo_client import cli
from imagerepo_client.upload import DUPLICATE, UPLOADED

class Server:
    def __init__(self, *args, **kwargs):
        pass
    async def __aenter__(self):
        return self
    async def __aexit__(self, *exc):
        pass
    async def me(self):
        return {"username": "alice"}

class Uploader(cli.Uploader):
    async def run(self, paths):
        self.counts[UPLOADED] += 2
        self.counts[DUPLICATE] += 1
        os.kill(os.getpid(), signal.SIGINT)
        await asyncio.sleep(30)

cli.ImageRepo, cli.Uploader = Server, Uploader
args = ["upload", "--url", "http://127.0.0.1:1", "--token", "t", "-q", sys.argv[1]]
sys.exit(cli.main(args))
"""
    child = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert child.returncode == 130
    assert child.stdout == ""
    assert child.stderr.splitlines() == [
        "So far: 2 uploaded, 1 duplicates, 0 rejected. Run the same command again "
        "to go on: what the server has already is not sent twice.",
        "Interrupted.",
    ]


@pytest.mark.parametrize(
    ("title", "found"),
    [("Christmas 2020", "b"), ("christmas 2020", "a"), ("Easter", None)],
)
def test_an_album_is_found_by_its_title_in_any_case(title, found):
    # As the server takes it: written so first, else in another case.
    albums = [
        {"id": "a", "title": "CHRISTMAS 2020", "is_owner": True},
        {"id": "b", "title": "Christmas 2020", "is_owner": True},
        {"id": "c", "title": "Easter", "is_owner": False},
    ]

    def handle(request):
        return httpx.Response(200, json={"results": albums})

    async def go():
        transport = httpx.MockTransport(handle)
        async with ImageRepo("http://site", "tok", transport=transport) as api:
            return await api._own_album_named(title)

    assert asyncio.run(go()) == found
