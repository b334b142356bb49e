"""The client against a real server: upload a folder twice, list it."""

import json
import os
import subprocess
import sys

import httpx
import pytest

from gallery.tests.images import TEXT, image_bytes, noisy_jpeg, truncated_jpeg
from imagerepo_client.cli import main


@pytest.fixture
def photos(tmp_path):
    """8 images (one also copied under another name), notes in a text file, a
    letter that is no image under a name the client sends, a broken JPEG and
    a hidden file, in nested folders."""
    root = tmp_path / "photos"
    (root / "2023" / "summer").mkdir(parents=True)
    (root / "2024").mkdir()
    for i in range(4):
        (root / "2023" / "summer" / f"sunset beach {i}.jpg").write_bytes(
            noisy_jpeg((120, 80), seed=100 + i)
        )
        (root / "2024" / f"mountain lake {i}.png").write_bytes(
            image_bytes("PNG", (30 + i, 20))
        )
    (root / "2024" / "copy of sunset.jpg").write_bytes(noisy_jpeg((120, 80), seed=100))
    (root / "2024" / "notes.txt").write_bytes(TEXT)
    (root / "2024" / "letter.pdf").write_bytes(TEXT)
    (root / "2024" / "broken.jpg").write_bytes(truncated_jpeg())
    (root / "2024" / ".hidden.jpg").write_bytes(noisy_jpeg((8, 8), seed=5))
    return root


def run(capsys, *args):
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def uploads_sent(monkeypatch):
    """The upload requests the client puts on the wire (retries included),
    each as the number of files it carries."""
    sent, real_send = [], httpx.AsyncClient.send

    async def send(client, request, **kwargs):
        if request.method == "POST" and request.url.path == "/api/v1/images/":
            sent.append(request.read().count(b'name="files"'))
        return await real_send(client, request, **kwargs)

    monkeypatch.setattr(httpx.AsyncClient, "send", send)
    return sent


def test_upload_a_folder_twice_then_list_it(
    live_site, site_user, photos, capsys, uploads_sent
):
    auth = ["--url", live_site.url, "--token", site_user]

    status, out, err = run(capsys, "upload", *auth, str(photos), "--concurrency", "4")
    assert out.strip().splitlines()[-1] == (
        "8 uploaded, 1 duplicates, 2 rejected, 1 skipped (not photos)."
    )
    assert status == 1  # a file was rejected
    assert "broken.jpg: The image is damaged" in err
    assert "letter.pdf: This file is not an image we can read" in err
    assert "notes.txt" not in err  # left out, never sent
    # One file a request; the copy of a file already sent is not sent again.
    assert uploads_sent == [1] * 10

    uploads_sent.clear()
    status, out, err = run(capsys, "upload", *auth, str(photos))
    assert out.strip() == (
        "0 uploaded, 9 duplicates, 2 rejected, 1 skipped (not photos)."
    )
    # The second run uploads no image: the hash check knew all nine. Only the
    # files the server refused (it keeps no hash of them) go again.
    assert uploads_sent == [1, 1]

    status, out, _ = run(capsys, "list", *auth, "--q", "sunset beach")
    assert status == 0
    rows = out.strip().splitlines()
    assert rows[0].split()[:2] == ["ID", "VISIBILITY"]
    assert sorted(row.rsplit("  ", 1)[-1] for row in rows[1:-1]) == [
        f"sunset beach {i}" for i in range(4)
    ]
    assert rows[-1] == "4 images."


@pytest.mark.parametrize(
    ("flags", "title"), [([], "diary page"), (["--private"], "secret diary")]
)
def test_uploads_are_private_unless_asked_public(
    live_site, site_user, tmp_path, capsys, flags, title
):
    folder = tmp_path / "secret"
    folder.mkdir()
    seed = 900 if flags else 902
    (folder / f"{title}.jpg").write_bytes(noisy_jpeg((40, 40), seed=seed))
    auth = ["--url", live_site.url, "--token", site_user]
    status, out, _ = run(capsys, "upload", *auth, *flags, str(folder))
    assert (status, out.strip()) == (0, "1 uploaded, 0 duplicates, 0 rejected.")

    _, out, _ = run(capsys, "list", *auth, "--mine", "--json", "--q", title)
    [item] = json.loads(out)
    assert (item["title"], item["visibility"], item["owner"]) == (
        title,
        "private",
        "carol",
    )
    _, out, _ = run(capsys, "list", "--url", live_site.url, "--q", title, "--json")
    assert json.loads(out) == []


def test_sending_an_image_again_never_makes_it_more_visible(
    live_site, site_user, tmp_path, capsys
):
    folder = tmp_path / "album"
    folder.mkdir()
    (folder / "party.jpg").write_bytes(noisy_jpeg((40, 40), seed=901))
    auth = ["--url", live_site.url, "--token", site_user]

    def visibility():
        _, out, _ = run(capsys, "list", *auth, "--mine", "--json", "--q", "party")
        [item] = json.loads(out)
        return item["visibility"]

    run(capsys, "upload", *auth, "--public", str(folder))
    assert visibility() == "public"
    status, out, err = run(capsys, "upload", *auth, "--private", str(folder))
    assert (status, out.strip()) == (0, "0 uploaded, 1 duplicates, 0 rejected.")
    assert "party.jpg: You already had this photo as a public one; it is now" in err
    assert visibility() == "private"
    status, _, err = run(capsys, "upload", *auth, "--public", str(folder))
    assert status == 0
    assert "party.jpg: You already have this photo as a private one; it stays" in err
    assert visibility() == "private"


def test_list_follows_cursors_as_a_module_with_env_settings(live_site, site_user):
    env = {
        **os.environ,
        "IMAGEREPO_URL": live_site.url,
        "IMAGEREPO_TOKEN": site_user,
    }
    done = subprocess.run(
        [sys.executable, "-m", "imagerepo_client", "list", "--json", "--mine"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    items = json.loads(done.stdout)
    assert len(items) == len({item["id"] for item in items})
    assert {"diary page", "sunset beach 0"} <= {item["title"] for item in items}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["upload", "x"], "give the server with --url"),
        (["upload", "--url", "http://127.0.0.1:1", "x"], "give an API token"),
        (["upload", "--url", "ftp://x", "--token", "t", "x"], "must start with http"),
        (["upload", "--url", "http://a", "--token", "t", "/no/such"], "no such file"),
        (["list", "--url", "http://a", "--mine"], "give an API token"),
        (["upload", "--url", "http://a", "--token", "t", "--album", " ", "."], "name"),
        (["delete", "--url", "http://a", "0" * 32], "give an API token"),
        (["delete", "--url", "http://a", "--token", "t", "0" * 32, "x1"], "'x1'"),
    ],
)
def test_usage_errors_exit_2(args, message, capsys, monkeypatch):
    monkeypatch.delenv("IMAGEREPO_URL", raising=False)
    monkeypatch.delenv("IMAGEREPO_TOKEN", raising=False)
    status, _, err = run(capsys, *args)
    assert status == 2
    assert message in err


def test_delete_without_ids_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit:
        main(["delete", "--url", "http://a", "--token", "t"])
    assert exit.value.code == 2
    assert "the following arguments are required: ID" in capsys.readouterr().err


def test_a_wrong_token_is_a_usage_error(live_site, photos, capsys):
    status, out, err = run(
        capsys, "upload", "--url", live_site.url, "--token", "imgr_nope", str(photos)
    )
    assert status == 2
    assert "the server refused the token" in err
    assert out == ""


def test_a_wrong_token_leaves_the_json_listing_empty(live_site, capsys):
    status, out, err = run(
        capsys, "list", "--url", live_site.url, "--token", "imgr_nope", "--json"
    )
    assert (status, out) == (2, "")
    assert "the server refused the token" in err
    assert "usage:" not in err


def test_upload_into_an_album_by_name(live_site, site_user, tmp_path, capsys):
    folder = tmp_path / "trip"
    folder.mkdir()
    for i in range(3):
        (folder / f"trip {i}.jpg").write_bytes(noisy_jpeg((40, 40), seed=950 + i))
    auth = ["--url", live_site.url, "--token", site_user]
    api = httpx.Client(
        base_url=f"{live_site.url}/api/v1/",
        headers={"Authorization": f"Bearer {site_user}"},
    )

    def albums():
        return {a["title"]: a for a in api.get("albums/").json()["results"]}

    # One file is on the server already: it goes in the album all the same.
    run(capsys, "upload", *auth, str(folder / "trip 0.jpg"))
    status, out, _ = run(
        capsys, "upload", *auth, "--album", " Trip  2024 ", str(folder)
    )
    assert (status, out.strip()) == (0, "2 uploaded, 1 duplicates, 0 rejected.")
    album = albums()["Trip 2024"]
    assert album["image_count"] == 3
    listed = api.get(album["images_url"].split("/api/v1/", 1)[1]).json()["results"]
    assert sorted(item["title"] for item in listed) == ["trip 0", "trip 1", "trip 2"]

    status, out, _ = run(capsys, "upload", *auth, "--album", "Trip 2024", str(folder))
    assert (status, out.strip()) == (0, "0 uploaded, 3 duplicates, 0 rejected.")
    assert [title for title in albums() if title.startswith("Trip")] == ["Trip 2024"]
    assert albums()["Trip 2024"]["image_count"] == 3


def test_an_album_the_server_refuses_stops_before_sending(
    live_site, site_user, tmp_path, capsys, uploads_sent
):
    (tmp_path / "x.jpg").write_bytes(noisy_jpeg((40, 40), seed=960))
    auth = ["--url", live_site.url, "--token", site_user]
    status, out, err = run(
        capsys, "upload", *auth, "--album", "x" * 300, str(tmp_path / "x.jpg")
    )
    assert (status, out) == (2, "")
    assert "cannot use the album" in err
    assert uploads_sent == []


LIMIT_DAVE = """
from django.contrib.auth import get_user_model
from gallery.services.quotas import account_set_limits
dave, _ = get_user_model().objects.get_or_create(username="dave")
account_set_limits(dave, quota_bytes={quota_bytes}, quota_images={quota_images})
"""


def test_files_over_the_quota_are_named_with_the_reason(live_site, tmp_path, capsys):
    live_site.manage("shell", "-c", LIMIT_DAVE.format(quota_bytes=None, quota_images=2))
    token = live_site.manage("create_token", "dave").stdout.strip()
    auth = ["--url", live_site.url, "--token", token]
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(3):
        (folder / f"{i}.jpg").write_bytes(noisy_jpeg((40, 40), seed=970 + i))

    status, out, err = run(capsys, "upload", *auth, "--concurrency", "1", str(folder))
    assert (status, out.strip()) == (1, "2 uploaded, 0 duplicates, 1 rejected.")
    assert "2.jpg: Not stored: your account is at its limit of 2 photos." in err
    assert live_site.image_count("dave") == 2

    # A byte limit the next file does not fit in: refused, the run says why.
    live_site.manage("shell", "-c", LIMIT_DAVE.format(quota_bytes=1, quota_images=9))
    (folder / "big.jpg").write_bytes(noisy_jpeg((200, 200), seed=975))
    status, out, err = run(capsys, "upload", *auth, str(folder / "big.jpg"))
    assert (status, out.strip()) == (1, "0 uploaded, 0 duplicates, 1 rejected.")
    assert "big.jpg: Not stored: your account is at its limit of 1" in err
    assert "used; this file is" in err
    assert live_site.image_count("dave") == 2


@pytest.fixture(scope="module")
def other_site_user(live_site):
    """A second account of the live site, with its own token."""
    live_site.manage(
        "shell",
        "-c",
        "from django.contrib.auth import get_user_model; "
        "get_user_model().objects.create_user('erin', password='pw-erin-123')",
    )
    return live_site.manage("create_token", "erin", "--name", "tests").stdout.strip()


def test_delete_moves_to_the_trash_and_permanent_deletes_for_good(
    live_site, site_user, other_site_user, tmp_path, capsys
):
    folder = tmp_path / "clearout"
    folder.mkdir()
    for i in range(3):
        (folder / f"clearout {i}.jpg").write_bytes(noisy_jpeg((40, 40), seed=970 + i))
    auth = ["--url", live_site.url, "--token", site_user]
    run(capsys, "upload", *auth, "--private", str(folder))
    _, out, _ = run(capsys, "list", *auth, "--mine", "--json", "--q", "clearout")
    ids = {item["title"]: item["id"] for item in json.loads(out)}
    api = httpx.Client(
        base_url=f"{live_site.url}/api/v1/",
        headers={"Authorization": f"Bearer {site_user}"},
    )

    def trash():
        return {item["id"] for item in api.get("trash/").json()["results"]}

    two = [ids["clearout 0"], ids["clearout 1"]]
    status, out, err = run(capsys, "delete", *auth, *two, two[0])
    assert (status, out) == (0, "2 moved to the trash, 0 failed.\n")
    assert f"{live_site.url}/trash/" in err
    assert trash() == set(two)
    _, out, _ = run(capsys, "list", *auth, "--mine", "--json", "--q", "clearout")
    assert [item["title"] for item in json.loads(out)] == ["clearout 2"]

    # For good: one from the trash, one never trashed.
    gone = [two[0], ids["clearout 2"]]
    status, out, _ = run(capsys, "delete", *auth, "--permanent", *gone)
    assert (status, out) == (0, "2 deleted for good, 0 failed.\n")
    assert trash() == {two[1]}
    assert api.get(f"images/{ids['clearout 2']}/").status_code == 404

    # Gone already, never there, or someone else's: counted as failed.
    daves = tmp_path / "dave"
    daves.mkdir()
    (daves / "dave.jpg").write_bytes(noisy_jpeg((40, 40), seed=980))
    dave = ["--url", live_site.url, "--token", other_site_user]
    run(capsys, "upload", *dave, "--public", str(daves))
    _, out, _ = run(capsys, "list", *dave, "--mine", "--json")
    [daves_id] = [item["id"] for item in json.loads(out)]
    unknown = "0" * 32
    status, out, err = run(capsys, "delete", *auth, two[0], unknown, daves_id)
    assert (status, out) == (1, "0 moved to the trash, 3 failed.\n")
    assert f"{two[0]}: no such image of yours" in err
    assert f"{unknown}: no such image of yours" in err
    assert f"{daves_id}: Only the image's owner can change or delete it." in err
    _, out, _ = run(capsys, "list", *dave, "--mine", "--json")
    assert [item["id"] for item in json.loads(out)] == [daves_id]
    assert trash() == {two[1]}


def test_delete_with_a_wrong_token_is_a_usage_error(live_site, capsys):
    status, out, err = run(
        capsys, "delete", "--url", live_site.url, "--token", "imgr_nope", "0" * 32
    )
    assert (status, out) == (2, "")
    assert "the server refused the token" in err
