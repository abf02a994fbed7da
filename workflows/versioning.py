"""How each workflow type meets a new release of the worker (Temporal Worker Versioning).

Used only when the worker runs versioned (OMS_DEPLOYMENT_NAME and OMS_BUILD_ID set, docs/deploy.md);
an unversioned worker ignores it. Pinned: a workflow runs to its end on the build that started it, so a
release never replays a running order on code it was not started with. The cost is that a version's
workers stay up until its last pinned workflow closes (`describe-version` says drained). A fix that
running orders need ships as a `workflow.patched` change (tests/test_replay.py proves old histories
replay on it) and ops move those orders onto the new version explicitly (docs/deploy.md).
"""

from temporalio.common import VersioningBehavior

ORDER = VersioningBehavior.PINNED
"""An order waits days for collection: it finishes on the release that took it."""
DELIVERY = VersioningBehavior.PINNED
"""A child of the order, started on its parent's version and kept there, beside its parent."""
RETURN = VersioningBehavior.PINNED
"""A return waits for the item and the refund: like an order, it finishes where it started."""
RECONCILIATION = VersioningBehavior.PINNED
"""Nightly, minutes long: the next night's run starts on the current version anyway."""
