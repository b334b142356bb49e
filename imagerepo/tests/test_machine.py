"""This computer's names and addresses: the hosts the site answers to with
nothing set, and the line that says where to open it."""

import json
import socket
import subprocess

import pytest

from imagerepo.settings.machine import Machine

HOME = Machine(
    hostname="MyHost",
    fqdn="myhost.fritz.box",
    addresses=("127.0.1.1", "::1", "192.168.1.20", "fd00::20"),
)

# `ip -json address show` on a laptop: loopback, Wi-Fi (with a link-local
# IPv6 address), and a container bridge that is down.
IP_JSON = [
    {
        "ifname": "lo",
        "operstate": "UNKNOWN",
        "addr_info": [{"family": "inet", "local": "127.0.0.1"}],
    },
    {
        "ifname": "wlan0",
        "operstate": "UP",
        "addr_info": [
            {"family": "inet", "local": "192.168.1.20"},
            {"family": "inet6", "local": "2001:db8:0:0::20"},
            {"family": "inet6", "local": "fe80::1"},
        ],
    },
    {
        "ifname": "docker0",
        "operstate": "DOWN",
        "addr_info": [{"family": "inet", "local": "172.17.0.1"}],
    },
]


def test_allowed_hosts_are_every_name_and_address_of_the_machine():
    assert sorted(HOME.allowed_hosts()) == sorted(
        [
            "localhost",
            "myhost",
            "myhost.fritz.box",
            "myhost.local",
            "127.0.0.1",
            "127.0.1.1",
            "[::1]",
            "192.168.1.20",
            "[fd00::20]",
        ]
    )


def test_the_mdns_name_is_the_first_label_of_the_hostname():
    named = Machine(hostname="NAS.example.lan", fqdn="", addresses=())
    assert named.mdns_name == "nas.local"
    assert "nas.example.lan" in named.allowed_hosts()
    assert "" not in named.allowed_hosts()


def test_serving_on_all_ipv4_interfaces_names_the_lan_addresses_and_mdns_name():
    line = HOME.serving_line("0.0.0.0", 8000)
    assert line == (
        "imagerepo is serving at http://192.168.1.20:8000/ and "
        "http://myhost.local:8000/ — open one on a phone on the same network "
        "(on this computer: http://localhost:8000/)"
    )


def test_serving_on_all_interfaces_of_both_families_names_ipv6_too():
    line = HOME.serving_line("::", 9000)
    assert line.startswith(
        "imagerepo is serving at http://192.168.1.20:9000/, "
        "http://[fd00::20]:9000/ and http://myhost.local:9000/ — "
    )


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "localhost"])
def test_serving_on_loopback_says_this_computer_only(host):
    line = HOME.serving_line(host, 8000)
    assert line.endswith(":8000/, on this computer only")
    assert "192.168" not in line


def test_serving_on_one_address_names_that_address():
    line = HOME.serving_line("192.168.1.20", 8000)
    assert line.startswith("imagerepo is serving at http://192.168.1.20:8000/ — ")


def fake_ip(stdout, returncode=0):
    def run(command, **kwargs):
        assert command[0] == "ip"
        if returncode:
            raise subprocess.CalledProcessError(returncode, command)
        return subprocess.CompletedProcess(command, 0, stdout=stdout, stderr="")

    return run


@pytest.fixture
def patch():
    """Patches undone as the test ends. pytest's own monkeypatch is undone
    last, after the suite's fixtures tear down, and one of them (emptying
    the S3 bucket) needs the real socket module."""
    with pytest.MonkeyPatch.context() as patching:
        yield patching


@pytest.fixture
def resolver(patch):
    """The hostname resolves as on Debian: to 127.0.1.1 (/etc/hosts)."""
    patch.setattr(socket, "gethostname", lambda: "laptop")

    def getaddrinfo(host, port, *args, **kwargs):
        assert host == "laptop"
        stream = (socket.AF_INET, socket.SOCK_STREAM, 6)
        return [(*stream, "laptop.home.arpa", ("127.0.1.1", 0))]

    patch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.mark.usefixtures("resolver")
def test_this_machine_takes_interface_addresses_that_are_up(patch):
    patch.setattr(subprocess, "run", fake_ip(json.dumps(IP_JSON)))
    found = Machine.this()
    assert found == Machine(
        hostname="laptop",
        fqdn="laptop.home.arpa",
        addresses=("127.0.1.1", "127.0.0.1", "192.168.1.20", "2001:db8::20"),
    )


@pytest.mark.usefixtures("resolver")
@pytest.mark.parametrize(
    "run",
    [
        fake_ip("1: lo: <LOOPBACK,UP> mtu 65536"),  # an ip without -json
        fake_ip("", returncode=255),
        pytest.param(None, id="no ip command"),
    ],
)
def test_without_usable_ip_output_the_resolver_answer_stands(patch, run):
    def missing(command, **kwargs):
        raise FileNotFoundError(2, "No such file or directory", command[0])

    patch.setattr(subprocess, "run", run or missing)
    assert Machine.this().addresses == ("127.0.1.1",)


def test_an_unresolvable_hostname_still_gives_the_interface_addresses(patch):
    patch.setattr(socket, "gethostname", lambda: "nowhere")

    def unresolvable(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    patch.setattr(socket, "getaddrinfo", unresolvable)
    patch.setattr(subprocess, "run", fake_ip(json.dumps(IP_JSON)))
    found = Machine.this()
    assert (found.fqdn, found.addresses[-1]) == ("nowhere", "2001:db8::20")


def test_this_machine_answers_to_its_own_hostname():
    hosts = Machine.this().allowed_hosts()
    hostname = socket.gethostname().lower()
    assert {hostname, f"{hostname.split('.')[0]}.local", "127.0.0.1"} <= set(hosts)
