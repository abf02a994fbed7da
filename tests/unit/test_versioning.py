"""The worker decides how workflows meet a release (pinned), only when it runs versioned: the
integration test tests/integration/test_deploys.py shows orders pinned."""

from temporalio.common import VersioningBehavior
from temporalio.workflow import _Definition

from worker.main import WORKFLOWS


def test_no_workflow_declares_a_versioning_behaviour_that_unversioned_workers_would_send() -> None:
    """The server refuses a task that states a behaviour from a worker without deployment options."""
    for workflow in WORKFLOWS:
        assert _Definition.must_from_class(workflow).versioning_behavior in (
            None,
            VersioningBehavior.UNSPECIFIED,
        ), workflow.__name__
