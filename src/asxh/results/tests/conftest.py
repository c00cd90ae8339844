"""The cycles' setting (a province, a provider, two approvers, registered people)."""

from asxh.cycles.tests.conftest import data_dir, setting  # noqa: F401 - fixtures reused
