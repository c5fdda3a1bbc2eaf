"""What tests and benchmarks share to run a real cloud (``cloud_process``)."""
