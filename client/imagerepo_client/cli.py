"""``imagerepo-client``: upload folders to an imagerepo server, list images,
delete them.

Exit status: 0 when everything went well (files left out as no photos
included), 1 when some files were rejected or could not be sent (or the
server refused a request), 2 for usage errors, a refused token and a server
that cannot be reached.
"""

import argparse
import asyncio
import contextlib
import os
import signal
import sys
import uuid

import httpx

from .api import ApiError, AuthError, ImageRepo
from .listing import print_images
from .progress import UploadProgress
from .upload import Uploader, UploadStopped, iter_files, summary

OK, PROBLEMS, USAGE = 0, 1, 2


class UsageError(Exception):
    """Wrong or missing arguments: exit status 2, after the usage line."""

    show_usage = True


class ServerUnusable(UsageError):
    """The server refused the token or cannot be reached: exit status 2 too,
    but the arguments were well formed, so no usage line."""

    show_usage = False


def connection_options():
    """--url, --token and --retries, accepted after either command."""
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument(
        "--url",
        default=os.environ.get("IMAGEREPO_URL"),
        help="Server address, e.g. http://127.0.0.1:8000 (default: $IMAGEREPO_URL).",
    )
    options.add_argument(
        "--token",
        default=os.environ.get("IMAGEREPO_TOKEN"),
        help="Personal API token (default: $IMAGEREPO_TOKEN).",
    )
    options.add_argument(
        "--retries", type=int, default=5, help="Retries per request (default 5)."
    )
    return options


def build_parser():
    parser = argparse.ArgumentParser(
        prog="imagerepo-client",
        description="Upload images to an imagerepo server, list and delete them.",
        epilog="Create a token on the site under 'API tokens', or with "
        "'manage.py create_token USER'.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    common = [connection_options()]

    upload = commands.add_parser(
        "upload",
        parents=common,
        help="Upload files and folders.",
        description="Upload files and folders (walked recursively; hidden "
        "files and symlinks left out). Files the server already has are not "
        "sent again. Files that by their names are no photos (sidecars such "
        "as .json, .xmp or .aae, notes in .txt, videos) are not sent either: "
        "they are counted as skipped (not photos), which is no error.",
    )
    upload.add_argument("paths", nargs="+", metavar="PATH")
    visibility = upload.add_mutually_exclusive_group()
    visibility.add_argument(
        "--public",
        dest="visibility",
        action="store_const",
        const="public",
        default="private",
        help="Make them public; they are private unless you say so.",
    )
    visibility.add_argument(
        "--private",
        dest="visibility",
        action="store_const",
        const="private",
        help="Make them private (the default).",
    )
    upload.add_argument("--description", default="", help="Description for all.")
    upload.add_argument(
        "--album",
        metavar="NAME",
        help="Put every file (sent, or already on the server) in your album "
        "NAME, made if you have none.",
    )
    upload.add_argument(
        "--concurrency", type=int, default=8, help="Uploads in flight (default 8)."
    )
    upload.add_argument(
        "-v", "--verbose", action="store_true", help="One line per file."
    )
    upload.add_argument(
        "-q", "--quiet", action="store_true", help="Only the summary line."
    )

    listing = commands.add_parser(
        "list", parents=common, help="List the images you may see."
    )
    listing.add_argument("--q", default="", metavar="WORDS", help="Search words.")
    listing.add_argument("--mine", action="store_true", help="Only your images.")
    listing.add_argument("--json", action="store_true", help="Print JSON.")
    listing.add_argument("--limit", type=int, help="Stop after this many images.")

    delete = commands.add_parser(
        "delete",
        parents=common,
        help="Move your images to the trash, or delete them for good.",
        description="Move your images to your trash, where you can restore them "
        "from the site's Trash page until the server deletes them for good.",
    )
    delete.add_argument("ids", nargs="+", metavar="ID", help="Image ids, as listed.")
    delete.add_argument(
        "--permanent",
        action="store_true",
        help="Delete them and their files for good, also from the trash; "
        "this cannot be undone.",
    )
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        check_usage(args)
        return asyncio.run(COMMANDS[args.command](args))
    except UsageError as error:
        if error.show_usage:
            parser.print_usage(sys.stderr)
        print(f"imagerepo-client: error: {error}", file=sys.stderr)
        return USAGE
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return reader_gone(args)
    except BaseExceptionGroup as group:  # from an upload's tasks
        broken, rest = group.split(BrokenPipeError)
        if broken is None or rest is not None:
            raise
        return reader_gone(args)


def reader_gone(args):
    """Read by a command that stopped early (`list --json | head`): no one is
    left to tell, and Python would complain flushing at exit. A listing
    that was cut short is what was asked for; anything else ends as a shell
    ends a program whose reader went (128 + SIGPIPE), its outcome unknown."""
    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return OK if args.command == "list" else 128 + signal.SIGPIPE


def check_usage(args):
    if not args.url:
        raise UsageError("give the server with --url or IMAGEREPO_URL")
    if not args.url.startswith(("http://", "https://")):
        raise UsageError(f"--url must start with http:// or https://, not {args.url!r}")
    needs_token = args.command in ("upload", "delete") or getattr(args, "mine", False)
    if needs_token and not args.token:
        raise UsageError("give an API token with --token or IMAGEREPO_TOKEN")
    if args.retries < 0:
        raise UsageError("--retries cannot be negative")
    if getattr(args, "limit", None) is not None and args.limit < 0:
        raise UsageError("--limit cannot be negative")
    if args.command == "delete":
        for image_id in args.ids:
            try:
                uuid.UUID(image_id)
            except ValueError:
                raise UsageError(f"not an image id: {image_id!r}") from None
    if args.command == "upload":
        if args.concurrency < 1:
            raise UsageError("--concurrency must be at least 1")
        if args.album is not None and not args.album.strip():
            raise UsageError("--album needs a name")
        missing = [p for p in args.paths if not os.path.exists(p)]
        if missing:
            raise UsageError(f"no such file or folder: {', '.join(missing)}")


async def check_server(api):
    """Who the token belongs to; a clear usage error if it cannot be used."""
    try:
        return (await api.me())["username"]
    except AuthError as error:
        raise ServerUnusable(f"the server refused the token: {error.message}") from None
    except httpx.TransportError as error:
        raise ServerUnusable(f"cannot reach the server: {error}") from None


async def upload_command(args):
    async with ImageRepo(
        args.url, args.token, retries=args.retries, concurrency=args.concurrency
    ) as api:
        await check_server(api)
        album = await upload_album(api, args.album) if args.album else None
        total = sum(1 for _ in iter_files(args.paths))
        progress = UploadProgress(total, verbose=args.verbose, quiet=args.quiet)
        uploader = Uploader(
            api,
            visibility=args.visibility,
            description=args.description,
            concurrency=args.concurrency,
            report=progress.report,
            album=album,
        )
        try:
            with progress:
                counts, stopped = await upload_all(uploader, args.paths)
        except asyncio.CancelledError:  # Ctrl-C: say how far it got
            print(
                f"So far: {summary(uploader.counts)} Run the same command again "
                "to go on: what the server has already is not sent twice.",
                file=sys.stderr,
            )
            raise
    if stopped:
        print(
            f"Stopped: {stopped} Run the same command later to go on.", file=sys.stderr
        )
    print(summary(counts))
    return PROBLEMS if stopped or counts["rejected"] or counts["failed"] else OK


async def upload_all(uploader, paths):
    """The counts of an upload, and why it stopped early (None if it did not)."""
    stopped = None
    try:
        await uploader.run(iter_files(paths))
    except* AuthError as group:
        raise ServerUnusable(
            f"the server refused the token: {group.exceptions[0].message}"
        ) from None
    except* UploadStopped as group:
        stopped = str(group.exceptions[0])
    return uploader.counts, stopped


async def upload_album(api, title):
    """The id of the album to upload into; one the server will not make or
    find stops the run before any file is sent."""
    try:
        return await api.own_album(title)
    except ApiError as error:
        message = f"cannot use the album {title!r}: {error.message}"
        raise ServerUnusable(message) from None
    except httpx.TransportError as error:
        raise ServerUnusable(f"cannot reach the server: {error}") from None


async def list_command(args):
    async with ImageRepo(args.url, args.token, retries=args.retries) as api:
        owner = await check_server(api) if args.mine else None
        try:
            await print_images(
                api.images(q=args.q, owner=owner),
                as_json=args.json,
                limit=args.limit,
            )
        except AuthError as error:
            raise ServerUnusable(
                f"the server refused the token: {error.message}"
            ) from None
        except ApiError as error:
            print(f"imagerepo-client: {error.message}", file=sys.stderr)
            return PROBLEMS
        except httpx.TransportError as error:
            raise ServerUnusable(f"cannot reach the server: {error}") from None
    return OK


async def delete_command(args):
    done = "deleted for good" if args.permanent else "moved to the trash"
    counts = {done: 0, "failed": 0}
    async with ImageRepo(args.url, args.token, retries=args.retries) as api:
        await check_server(api)
        for image_id in dict.fromkeys(args.ids):  # each once, in the order given
            try:
                await api.delete_image(image_id, permanent=args.permanent)
            except AuthError as error:
                message = f"the server refused the token: {error.message}"
                raise ServerUnusable(message) from None
            except ApiError as error:
                counts["failed"] += 1
                reason = NOT_YOURS if error.status == 404 else error.message
                print(f"{image_id}: {reason}", file=sys.stderr)
            except httpx.TransportError as error:
                raise ServerUnusable(f"cannot reach the server: {error}") from None
            else:
                counts[done] += 1
    if counts[done] and not args.permanent:
        trash = args.url.rstrip("/") + "/trash/"
        print(f"Restore them from your trash: {trash}", file=sys.stderr)
    print(", ".join(f"{count} {what}" for what, count in counts.items()) + ".")
    return PROBLEMS if counts["failed"] else OK


# What the server's 404 means here: it tells no one else's images apart.
NOT_YOURS = "no such image of yours (it may be gone already)"

COMMANDS = {"upload": upload_command, "list": list_command, "delete": delete_command}
