"""The only code that touches the kernel: namespaces, links, nftables, mounts, cgroups,
instances. Modules: ``names`` (kernel names + parsing for mark-and-sweep), ``proc``
(commands/callables inside a netns), ``netns``, ``links``, ``nft``, ``mounts``,
``cgroups``, ``instance`` (host side) and ``init`` (PID 1 inside an instance).

Everything here except ``links``, ``nft`` and ``instance`` is stdlib-only: the instance
init imports this package with the system python3, outside the venv.
"""
