import pytest

from pocketstack.host import names

pytestmark = pytest.mark.root


def test_names_are_short_deterministic_and_parse_back():
    port_id = "3f2a9c1e-55aa-4bbb-8ccc-0123456789ab"
    name = names.kernel_name("tabcd", "port", port_id)
    assert name == "tabcdt3f2a9c1e"
    assert len(names.kernel_name("abcdef", "bridge", port_id)) <= names.IFNAMSIZ
    assert names.parse("tabcd", name) == ("port", names.fragment(port_id))
    assert names.kernel_name("tabcd", "port", "x y") == names.kernel_name("tabcd", "port", "x y")


def test_parse_rejects_other_prefixes_even_when_nested():
    longer = names.kernel_name("ta", "bridge", "net-1")
    assert names.parse("t", longer) is None
    assert names.parse("ta", longer).kind == "bridge"
    assert names.owned("ta", [longer, "eth0", "docker0", "tab"]) == [longer]
    assert names.owned("ta", [longer], kind="port") == []


def test_bad_prefix_and_mac_from_ip():
    with pytest.raises(ValueError):
        names.kernel_name("Toolong1", "port", "x")
    assert names.mac_for_ip("10.0.1.5") == "fa:16:3e:00:01:05"
