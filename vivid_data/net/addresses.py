"""Which network addresses a request may reach (SSRF protection).

Every request and every redirect is resolved first; the connection then goes to the
checked address itself, so a DNS answer cannot change between the check and the connect.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Iterable, Union

Address = Union[ipaddress.IPv4Address, ipaddress.IPv6Address]


class BlockedAddressError(ValueError):
    """The URL resolves to an address the policy forbids; no request was sent."""


def is_public(address: Address) -> bool:
    """True for globally routable unicast addresses only."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return is_public(address.ipv4_mapped)
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
    def from_config(cls, value: bool | str | Iterable[str] | None) -> "AddressPolicy":
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
        if is_public(address):
            return True
        if self.allow_private_hosts is True:
            return not address.is_multicast and not address.is_link_local
        return any(address in network for network in self._networks())

    def check(self, host: str, addresses: Iterable[str]) -> Address:
        """Return the first resolved address if every one is allowed, else raise."""
        parsed = [ipaddress.ip_address(a.split("%", 1)[0]) for a in addresses]
        if not parsed:
            raise BlockedAddressError(f"{host}: resolves to no address")
        for address in parsed:
            if not self.allows(address):
                raise BlockedAddressError(
                    f"{host} resolves to {address}, a non-public address "
                    "(set allow_private_hosts to allow private networks)"
                )
        return parsed[0]
