"""Which network addresses a request may reach (SSRF protection).

Every request and every redirect is resolved first; the connection then goes to the
checked address itself, so a DNS answer cannot change between the check and the connect.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class BlockedAddressError(ValueError):
    """The URL resolves to an address the policy forbids; no request was sent."""


NAT64 = ipaddress.ip_network("64:ff9b::/96")
NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


def embedded_ipv4(address: Address) -> list[ipaddress.IPv4Address]:
    """IPv4 addresses an IPv6 address carries and may deliver to: IPv4-mapped (``::ffff:a.b.c.d``),
    IPv4-compatible (``::a.b.c.d``), NAT64 (``64:ff9b::a.b.c.d``), 6to4 (``2002:AABB:CCDD::``) and
    Teredo (server and client). ``[::ffff:169.254.169.254]`` reaches the metadata service."""
    if not isinstance(address, ipaddress.IPv6Address):
        return []
    found: list[ipaddress.IPv4Address] = []
    if address.ipv4_mapped is not None:
        found.append(address.ipv4_mapped)
    if address in NAT64 or address in NAT64_LOCAL or (address in IPV4_COMPATIBLE and int(address) > 1):
        found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    if address.sixtofour is not None:
        found.append(address.sixtofour)
    if address.teredo is not None:
        found.extend(address.teredo)
    return found


def normalize_address(address: Address) -> Address:
    """An IPv4-mapped IPv6 address is the IPv4 address it maps to (that is where a socket connects)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def is_public(address: Address) -> bool:
    """True for globally routable unicast addresses whose embedded IPv4 addresses are public too."""
    address = normalize_address(address)
    if any(not is_public(inner) for inner in embedded_ipv4(address)):
        return False
    return not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


@dataclass(frozen=True)
class AddressPolicy:
    """``allow_private_hosts``: False (public only), True (anything), or a list of networks allowed
    in addition to public ones, e.g. ``["127.0.0.0/8"]`` for tests on loopback.

    Link-local addresses (169.254.0.0/16, where cloud metadata services live) and multicast
    stay blocked unless named in the list.
    """

    allow_private_hosts: bool | tuple[str, ...] = False

    @classmethod
    def from_config(cls, value: bool | str | Iterable[str] | None) -> AddressPolicy:
        if value is None or isinstance(value, bool):
            return cls(bool(value))
        if isinstance(value, str):
            return cls((value,))
        return cls(tuple(value))

    def _networks(self) -> list[ipaddress._BaseNetwork]:
        if isinstance(self.allow_private_hosts, bool):
            return []
        return [ipaddress.ip_network(n, strict=False) for n in self.allow_private_hosts]

    def allows(self, address: Address) -> bool:
        """Every address in play (the normalised one and each IPv4 address it embeds) must pass."""
        address = normalize_address(address)
        return all(self._allows_one(a) for a in (address, *embedded_ipv4(address)))

    def _allows_one(self, address: Address) -> bool:
        if is_public(address):
            return True
        if self.allow_private_hosts is True:
            return not address.is_multicast and not address.is_link_local
        return any(address in network for network in self._networks())

    def check(self, host: str, addresses: Iterable[str]) -> Address:
        """Return the first resolved address if every one is allowed, else raise."""
        parsed = [normalize_address(ipaddress.ip_address(a.split("%", 1)[0])) for a in addresses]
        if not parsed:
            raise BlockedAddressError(f"{host}: resolves to no address")
        for address in parsed:
            if not self.allows(address):
                raise BlockedAddressError(
                    f"{host} resolves to {address}, a non-public address "
                    "(set allow_private_hosts to allow private networks)"
                )
        return parsed[0]
