"""Load balancer drivers: fake (in memory) and haproxy (HAProxy in a network namespace)."""
