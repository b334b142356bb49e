"""This computer's own names and addresses: the hosts the site answers to when
DJANGO_ALLOWED_HOSTS does not name them, so that a phone on the same network
can open it, and the addresses ``make serve`` tells people to open."""

import ipaddress
import json
import socket
import subprocess
from dataclasses import dataclass

WILDCARDS = ("0.0.0.0", "::")


@dataclass(frozen=True)
class Machine:
    hostname: str
    fqdn: str
    # Every address of this computer (loopback too), in the Python form.
    addresses: tuple[str, ...]

    @classmethod
    def this(cls):
        """This computer, found without sending anything over the network."""
        hostname = socket.gethostname()
        fqdn, resolved = _resolve(hostname)
        found = [*resolved, *_interface_addresses()]
        usable = [str(ipaddress.ip_address(a)) for a in found if _usable(a)]
        return cls(hostname, fqdn, tuple(dict.fromkeys(usable)))

    @property
    def mdns_name(self):
        """The name avahi or Bonjour announce on the local network."""
        return f"{self.hostname.split('.')[0].lower()}.local"

    def allowed_hosts(self):
        """Every name and address a browser may put in the Host header to reach
        this computer (IPv6 in brackets, as Django compares them)."""
        names = ["localhost", self.hostname, self.fqdn, self.mdns_name]
        addresses = ["127.0.0.1", "::1", *self.addresses]
        hosts = [name.lower() for name in names if name]
        hosts += [_url_host(address) for address in addresses]
        return list(dict.fromkeys(hosts))

    def serving_line(self, host, port):
        """The line that tells people where to open a site listening on
        ``host``:``port``."""
        if host in WILDCARDS:
            # A socket bound to :: takes IPv4 connections too (Linux's default).
            versions = (4,) if host == "0.0.0.0" else (4, 6)
            shared = [
                a
                for a in self.addresses
                if ipaddress.ip_address(a).version in versions
                and not ipaddress.ip_address(a).is_loopback
            ]
            urls = [_url(_url_host(a), port) for a in shared]
            urls.append(_url(self.mdns_name, port))
            return (
                f"imagerepo is serving at {_and(urls)} — open one on a phone on the "
                f"same network (on this computer: {_url('localhost', port)})"
            )
        url = _url(_url_host(host), port)
        if _is_loopback(host):
            return f"imagerepo is serving at {url}, on this computer only"
        return f"imagerepo is serving at {url} — open it on a phone on the same network"


def _resolve(hostname):
    """The hostname's full name and addresses, as this computer's resolver
    knows them (/etc/hosts, systemd's nss-myhostname, macOS's mDNS)."""
    try:
        found = socket.getaddrinfo(
            hostname, None, type=socket.SOCK_STREAM, flags=socket.AI_CANONNAME
        )
    except OSError:
        return hostname, []
    return found[0][3] or hostname, [info[4][0] for info in found]


def _interface_addresses():
    """The addresses of every network interface that is not down.

    The resolver alone often knows only a loopback address for the hostname
    (Debian's /etc/hosts maps it to 127.0.1.1), and the address a phone uses
    is the one on the Wi-Fi or Ethernet interface. iproute2's JSON output lists
    them all from the kernel's tables, sending nothing, on every Linux that has
    it; the standard library has no portable call for this, and asking which
    address a route would use misses a second interface. Where ``ip`` is
    missing (macOS, slim containers) the resolver's answer stands.
    """
    try:
        run = subprocess.run(
            ["ip", "-json", "address", "show"],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        )
        links = json.loads(run.stdout)
    except (OSError, subprocess.SubprocessError, ValueError):
        return []
    return [
        info["local"]
        for link in links
        if link.get("operstate") != "DOWN"
        for info in link.get("addr_info", [])
        if "local" in info
    ]


def _usable(address):
    """A plain IP address a browser can put in a URL: not an IPv6 link-local
    one, which needs a zone (``%eth0``) that browsers do not take."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return False
    return not (parsed.version == 6 and parsed.is_link_local)


def _is_loopback(host):
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _url_host(host):
    try:
        return f"[{host}]" if ipaddress.ip_address(host).version == 6 else host
    except ValueError:
        return host.lower()


def _url(host, port):
    return f"http://{host}:{port}/"


def _and(items):
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"
