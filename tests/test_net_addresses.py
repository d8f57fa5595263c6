import ipaddress

import pytest

from vivid_data.net.addresses import AddressPolicy, BlockedAddressError, embedded_ipv4, is_public


@pytest.mark.parametrize(
    "address, public",
    [
        ("93.184.216.34", True),
        ("2606:4700::1111", True),
        ("10.0.0.1", False),
        ("172.16.5.4", False),
        ("192.168.1.1", False),
        ("127.0.0.1", False),
        ("169.254.169.254", False),
        ("224.0.0.1", False),
        ("0.0.0.0", False),
        ("::1", False),
        ("fe80::1", False),
        ("::ffff:10.0.0.1", False),
        ("100.64.0.1", False),
    ],
)
def test_is_public(address: str, public: bool):
    assert is_public(ipaddress.ip_address(address)) is public


def test_default_policy_blocks_private_and_names_the_address():
    with pytest.raises(BlockedAddressError, match=r"internal\.example resolves to 10\.0\.0\.1"):
        AddressPolicy().check("internal.example", ["10.0.0.1"])
    # one bad address among good ones is enough to refuse
    with pytest.raises(BlockedAddressError):
        AddressPolicy().check("mixed.example", ["93.184.216.34", "127.0.0.1"])
    assert str(AddressPolicy().check("public.example", ["93.184.216.34"])) == "93.184.216.34"


def test_allow_list_is_narrow():
    loopback = AddressPolicy.from_config(["127.0.0.0/8"])
    assert loopback.allows(ipaddress.ip_address("127.0.0.1"))
    assert not loopback.allows(ipaddress.ip_address("10.0.0.1"))
    assert not loopback.allows(ipaddress.ip_address("169.254.169.254"))
    everything = AddressPolicy.from_config(True)
    assert everything.allows(ipaddress.ip_address("10.0.0.1"))
    assert not everything.allows(ipaddress.ip_address("169.254.169.254"))  # metadata stays blocked
    assert not AddressPolicy.from_config(None).allows(ipaddress.ip_address("127.0.0.1"))


@pytest.mark.parametrize(
    "address, embedded",
    [
        ("::ffff:169.254.169.254", "169.254.169.254"),  # IPv4-mapped
        ("64:ff9b::a9fe:a9fe", "169.254.169.254"),  # NAT64
        ("::a9fe:a9fe", "169.254.169.254"),  # IPv4-compatible (deprecated)
        ("2002:a9fe:a9fe::1", "169.254.169.254"),  # 6to4
    ],
)
def test_embedded_metadata_address_is_blocked_even_with_private_hosts_allowed(address: str, embedded: str):
    everything = AddressPolicy.from_config(True)
    assert str(embedded) in {str(a) for a in embedded_ipv4(ipaddress.ip_address(address))}
    assert not everything.allows(ipaddress.ip_address(address))
    with pytest.raises(BlockedAddressError):
        everything.check("metadata.example", [address])
    assert not is_public(ipaddress.ip_address(address))


def test_mapped_loopback_is_the_loopback_address():
    loopback = AddressPolicy.from_config(["127.0.0.0/8"])
    assert str(loopback.check("localhost", ["::ffff:127.0.0.1"])) == "127.0.0.1"
    assert not AddressPolicy().allows(ipaddress.ip_address("::ffff:127.0.0.1"))
