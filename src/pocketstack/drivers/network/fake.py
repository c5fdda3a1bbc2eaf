"""The fake network driver (filled in with the network service)."""


class FakeNetworkDriver:
    pass
