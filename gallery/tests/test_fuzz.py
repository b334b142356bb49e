"""Fuzzing the ingest service: random and mutated image bytes only ever give
an image or a rejection with a code, and never a file without its row."""

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from gallery.models import Image
from gallery.services.uploads import upload_image

from .conftest import stored_files
from .images import animated_gif, image_bytes, noisy_jpeg, upload

pytestmark = [
    pytest.mark.django_db,
    # Pillow warns about the broken EXIF it is fed; that is the point.
    pytest.mark.filterwarnings("ignore::UserWarning"),
]

SEEDS = [
    noisy_jpeg((48, 32), seed=1),
    image_bytes("JPEG", (40, 30), progressive=True),
    image_bytes("PNG", (40, 30)),
    image_bytes("PNG", (20, 20), color=(1, 2, 3, 128)),
    image_bytes("GIF", (30, 20)),
    animated_gif(4),
    image_bytes("WEBP", (30, 20)),
    image_bytes("BMP", (30, 20)),
    image_bytes("TIFF", (30, 20)),
]

mutations = st.lists(
    st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)),
    min_size=1,
    max_size=8,
)


@st.composite
def mutated_images(draw):
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for where, value in draw(mutations):
        data[int(where * len(data))] = value
    how = draw(st.sampled_from(["flip", "truncate", "append", "splice"]))
    if how == "truncate":
        data = data[: draw(st.integers(0, len(data)))]
    elif how == "append":
        data += draw(st.binary(max_size=256))
    elif how == "splice":
        other = draw(st.sampled_from(SEEDS))
        cut = draw(st.integers(0, min(len(data), len(other))))
        data = data[:cut] + other[cut:]
    return bytes(data)


FUZZ = settings(
    max_examples=120,
    deadline=None,
    derandomize=True,  # the same examples on every run: no flaky CI
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def check_one(user, media_root, data):
    outcome = upload_image(owner=user, file=upload("fuzz.jpg", data))
    if outcome.outcome == "rejected":
        assert outcome.code and outcome.message and outcome.image is None
        event(f"rejected: {outcome.code}")
    else:
        assert isinstance(outcome.image, Image) and outcome.image.pk
        event(outcome.outcome)
    # Whatever happened, every stored file belongs to a row and vice versa.
    expected = sorted(n for i in Image.objects.all() for n in i.stored_files())
    assert stored_files() == expected


@FUZZ
@given(data=mutated_images())
def test_fuzzed_mutated_images_give_an_image_or_a_validation_error(
    user, media_root, data
):
    check_one(user, media_root, data)


@FUZZ
@given(
    data=st.one_of(
        st.binary(max_size=2048),
        st.builds(
            lambda head, tail: head + tail,
            st.sampled_from(
                [
                    b"\xff\xd8\xff",
                    b"\x89PNG\r\n\x1a\n",
                    b"GIF89a",
                    b"BM",
                    b"II*\x00",
                    b"RIFF\x00\x00\x00\x00WEBPVP8 ",
                ]
            ),
            st.binary(max_size=1024),
        ),
    )
)
def test_fuzzed_random_bytes_give_an_image_or_a_validation_error(
    user, media_root, data
):
    check_one(user, media_root, data)
