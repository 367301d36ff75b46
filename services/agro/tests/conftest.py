import pytest

from auth.testing import Workspace, auth_header


@pytest.fixture
def farmer_headers(workspace: Workspace) -> dict[str, str]:
    return auth_header(workspace.farmer_token)


@pytest.fixture
def owner_headers(workspace: Workspace) -> dict[str, str]:
    return auth_header(workspace.owner_token)
