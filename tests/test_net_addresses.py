import ipaddress

import pytest

from vivid_data.net.addresses import AddressPolicy, BlockedAddressError, is_public


@pytest.mark.parametrize(
    "address, public",
    [("93.184.216.34", True), ("2606:4700::1111", True), ("10.0.0.1", False), ("172.16.5.4", False),
     ("192.168.1.1", False), ("127.0.0.1", False), ("169.254.169.254", False), ("224.0.0.1", False),
     ("0.0.0.0", False), ("::1", False), ("fe80::1", False), ("::ffff:10.0.0.1", False), ("100.64.0.1", False)],
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
