"""Octavia's load balancers: business rules, the contract the autoscaler uses (members),
and what the agent reads and reports (host_state)."""
