import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_sign_up_signs_you_in(client):
    response = client.post(
        reverse("signup"),
        {
            "username": "carol",
            "password1": "a-long-pass-phrase",
            "password2": "a-long-pass-phrase",
        },
    )
    assert response.status_code == 302
    assert get_user_model().objects.filter(username="carol").exists()
    assert client.get(reverse("gallery:upload")).status_code == 200


def test_sign_up_errors_are_shown(client):
    response = client.post(
        reverse("signup"), {"username": "carol", "password1": "x", "password2": "y"}
    )
    assert response.status_code == 200
    assert "didn’t match" in response.content.decode()


def test_login_and_logout(client, user):
    response = client.post(
        reverse("login"), {"username": "alice", "password": "pw-alice-123"}
    )
    assert response.status_code == 302
    assert client.get(reverse("gallery:upload")).status_code == 200
    assert client.get(reverse("logout")).status_code == 405  # logout is POST only
    client.post(reverse("logout"))
    assert client.get(reverse("gallery:upload")).status_code == 302
