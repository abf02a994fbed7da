"""How the workflows meet a new release of the worker (Temporal Worker Versioning, docs/deploy.md).

Applied by a versioned worker only (OMS_DEPLOYMENT_NAME and OMS_BUILD_ID set) as its default behaviour:
a behaviour declared on `@workflow.defn` would be sent by unversioned workers too, and the server refuses
their tasks then ("versioning behavior cannot be specified without deployment options"); so no workflow
declares its own (tests/unit/test_versioning.py).

Pinned, every type: a workflow runs to its end on the build that started it, so a release never replays
a running order on code it was not started with.
- OrderWorkflow: waits days for collection; it finishes on the release that took it.
- DeliveryWorkflow: a child of the order, started on its parent's version, kept beside its parent.
- ReturnWorkflow: waits for the item and the refund; like an order, it finishes where it started.
- ReconciliationWorkflow: nightly and minutes long; the next night's run starts on the current version.
The cost: a version's workers stay up until its last pinned workflow closes (`describe-version` says
drained). A fix that running orders need ships as a `workflow.patched` change (tests/test_replay.py
proves the recorded histories replay on it) and ops move those orders to the new version explicitly.
"""

from temporalio.common import VersioningBehavior

BEHAVIOUR = VersioningBehavior.PINNED
