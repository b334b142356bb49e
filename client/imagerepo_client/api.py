"""Talking to the server: one async HTTP client, retries with backoff."""

import asyncio
import email.utils
import random
import time
from pathlib import Path

import httpx

from . import __version__

RETRY_STATUSES = {429, 500, 502, 503, 504}
UPLOAD_LIMIT_CODE = "upload_rate_limited"
BACKOFF_BASE = 0.5
BACKOFF_CAP = 30.0


class ApiError(Exception):
    """The server answered with an error (after any retries)."""

    def __init__(self, status, code, message):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message

    @classmethod
    def from_response(cls, response):
        try:
            body = response.json()
            return cls(response.status_code, body["code"], body["message"])
        except (ValueError, KeyError, TypeError):
            reason = response.reason_phrase or "error"
            return cls(
                response.status_code,
                "http_error",
                f"HTTP {response.status_code} {reason}",
            )


class AuthError(ApiError):
    """The token is missing, wrong or revoked: nothing else will work."""


def retry_delay(attempt, response=None):
    """Seconds to wait before retry number ``attempt`` (0-based): what the
    server's Retry-After asks for, else exponential backoff with jitter."""
    if response is not None and "Retry-After" in response.headers:
        wait = _parse_retry_after(response.headers["Retry-After"])
        if wait is not None:
            return min(wait, BACKOFF_CAP * 4)
    backoff = min(BACKOFF_CAP, BACKOFF_BASE * 2**attempt)
    return backoff * random.uniform(0.5, 1.0)


def _parse_retry_after(value):
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _final(response):
    """A 429 for the hourly upload allowance: waiting seconds will not help."""
    if response.status_code != 429:
        return False
    try:
        return response.json().get("code") == UPLOAD_LIMIT_CODE
    except ValueError:
        return False


class ImageRepo:
    """The server's ``/api/v1/``; every call retries 429, 5xx and connection
    failures up to ``retries`` times."""

    def __init__(self, url, token=None, *, retries=5, concurrency=8, sleep=None, **kw):
        headers = {"User-Agent": f"imagerepo-client/{__version__}"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self.retries = retries
        self._sleep = sleep or asyncio.sleep
        self._http = httpx.AsyncClient(
            base_url=url.rstrip("/") + "/api/v1/",
            headers=headers,
            timeout=httpx.Timeout(120.0, connect=10.0),
            limits=httpx.Limits(max_connections=concurrency + 2),
            **kw,
        )

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        await self._http.aclose()

    async def send(self, method, path, *, ok=(200,), **kwargs):
        """The response to ``method path``, retried as needed. Raises
        :class:`ApiError` unless its status is in ``ok``; ``kwargs`` may hold
        a ``make_files`` callable so each try gets freshly opened files."""
        make_files = kwargs.pop("make_files", None)
        for attempt in range(self.retries + 1):
            last = attempt == self.retries
            try:
                response = await self._try(method, path, make_files, kwargs)
            except httpx.TransportError:
                if last:
                    raise
                await self._sleep(retry_delay(attempt))
                continue
            if (
                response.status_code in RETRY_STATUSES
                and not last
                and not _final(response)
            ):
                await self._sleep(retry_delay(attempt, response))
                continue
            break
        return self._checked(response, ok)

    async def _try(self, method, path, make_files, kwargs):
        if make_files is None:
            return await self._http.request(method, path, **kwargs)
        files, handles = make_files()
        try:
            return await self._http.request(method, path, files=files, **kwargs)
        finally:
            for handle in handles:
                handle.close()

    @staticmethod
    def _checked(response, ok):
        if response.status_code in ok:
            return response
        error_class = AuthError if response.status_code == 401 else ApiError
        raise error_class.from_response(response)

    # ------------------------------------------------------------ endpoints

    async def me(self):
        return (await self.send("GET", "me/")).json()

    async def check_hashes(self, digests, *, visibility, album=None):
        """The server's outcome, by digest, for each of ``digests`` it already
        has (asked ``visibility`` and ``album`` apply to them as if they were
        sent)."""
        body = {"sha256": list(digests), "visibility": visibility}
        if album:
            body["album"] = album
        response = await self.send("POST", "images/check-hashes/", json=body)
        return {item["sha256"]: item for item in response.json()["existing"]}

    async def upload(self, path, *, visibility, description, album=None):
        """Send one file (into ``album``, an album id, if given); returns the
        server's outcome for it (its "outcome" is created, duplicate or
        rejected, with a "code" and a "message")."""

        def make_files():
            handle = open(path, "rb")  # noqa: SIM115 (closed by send)
            name = _sendable(Path(path).name)
            return [("files", (name, handle, "application/octet-stream"))], [handle]

        response = await self.send(
            "POST",
            "images/",
            ok=(200, 201, 400, 429),
            data={
                "visibility": visibility,
                "description": description,
                **({"album": album} if album else {}),
            },
            make_files=make_files,
        )
        body = response.json()
        if "results" not in body:
            raise ApiError.from_response(response)
        return body["results"][0]

    async def own_album(self, title):
        """The id of your album called ``title``, made if you have none."""
        title = " ".join(title.split())
        found = await self._own_album_named(title)
        if found:
            return found
        try:
            body = {"title": title}
            response = await self.send("POST", "albums/", ok=(201,), json=body)
        except ApiError as error:
            # Made meanwhile (or by a retried request whose answer was lost).
            found = error.code == "album_exists" and await self._own_album_named(title)
            if not found:
                raise
            return found
        return response.json()["id"]

    async def _own_album_named(self, title):
        """Your album called ``title``: written so, or else in another case
        (the server takes titles in any case for one album)."""
        albums = (await self.send("GET", "albums/")).json()["results"]
        own = [album for album in albums if album["is_owner"]]
        for same in (str.__eq__, lambda a, b: a.casefold() == b.casefold()):
            found = [album["id"] for album in own if same(album["title"], title)]
            if found:
                return found[0]
        return None

    async def delete_image(self, image_id, *, permanent=False):
        """Move your image ``image_id`` to your trash; with ``permanent``,
        delete it and its files for good (also from the trash)."""
        params = {"permanent": "true"} if permanent else None
        await self.send("DELETE", f"images/{image_id}/", ok=(204,), params=params)

    async def images(self, **params):
        """Every image the server lists for ``params``, page after page."""
        params = {key: value for key, value in params.items() if value}
        path = "images/"
        while path:
            page = (await self.send("GET", path, params=params)).json()
            for item in page["results"]:
                yield item
            # The next link already carries every filter and the cursor.
            path, params = page["next"], None


def _sendable(name):
    """A file name as UTF-8 can carry it: the bytes of a name written in
    another encoding (Python keeps them as lone surrogates) are left out,
    as the server's import_images leaves them out of a title."""
    sendable = name.encode("utf-8", "surrogateescape").decode("utf-8", "ignore")
    # Nothing left: a file part without a name is no file to the server.
    return sendable if sendable.strip(" .") else "image" + sendable.strip()
