import pytest

from asxh.access.models import User
from asxh.access.roles import Role


@pytest.fixture
def approver(users: dict[str, User]) -> User:
    """The approver of the home province."""
    return users[Role.APPROVER]
