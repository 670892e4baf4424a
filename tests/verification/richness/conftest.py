"""Shared fixtures of the richness network tests."""

import pytest


@pytest.fixture
def one_torch_thread():
    """Run a torch test on one thread (the CI box has 2 cores shared by the workers), then restore."""
    torch = pytest.importorskip("torch")
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)
