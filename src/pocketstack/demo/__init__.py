"""Reference workloads run against a cloud through its public APIs only (``pocketstack demo``)."""
