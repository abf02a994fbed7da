"""The workflow sandbox the worker runs orders in: Temporal's, with our deterministic packages passed
through, the snippets it runs compiled once, and the payloads' serialization contexts looked up
without entering the sandbox.

Temporal's sandbox runs a small piece of Python source through `exec` for every activation and for
every payload of every command it encodes (to find the payload's serialization context): compiling
that same source each time was ~7 % of the worker's CPU (docs/performance.md). The snippets are a few
constant strings; executing their compiled code is what `exec` of the string does.

Entering the sandbox (its import hook, its copy of `sys.modules`, each restricted builtin swapped in and
out) for each of those lookups was another ~12 %: about 110 per order, for a read of the instance's
tables of pending commands. That read is the SDK's own code (temporalio, passed through: the same
module inside and out), it runs no workflow code and imports nothing, so it is asked of the sandboxed
instance directly. Activations still run inside the sandbox, with every restriction."""

from types import CodeType
from typing import Any

from temporalio.converter import SerializationContext
from temporalio.converter._extstore import StorageDriverStoreContext
from temporalio.worker import WorkflowInstance, WorkflowInstanceDetails
from temporalio.worker._command_aware_visitor import CommandInfo
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions
from temporalio.worker.workflow_sandbox._runner import _Instance

# Our workflow code and the pure domain are deterministic and keep no module state (workflows/ may import
# no I/O: tests/test_architecture.py), so the sandbox need not import them afresh for every order it
# starts or brings back into its cache: that re-import was the worker's largest single cost per order
# (docs/performance.md). The sandbox's checks on calls (time, random, I/O) still apply. OpenTelemetry
# (OMS_TRACING): the tracing interceptor's spans must reach the process's own provider and context.
PASSED_THROUGH = ("workflows", "domain", "opentelemetry")

_COMPILED: dict[str, CodeType] = {}


class _CompiledOnceInstance(_Instance):
    """Temporal's sandboxed workflow instance, running each snippet's code compiled once."""

    def _run_code(self, code: str, **extra_globals: Any) -> None:
        compiled = _COMPILED.get(code)
        if compiled is None:
            compiled = _COMPILED.setdefault(code, compile(code, "<temporal sandbox>", "exec"))
        super()._run_code(compiled, **extra_globals)  # type: ignore[arg-type]  # exec takes code too

    @property
    def _in_sandbox(self) -> Any:
        """The sandboxed workflow instance's own handle (Temporal's `InSandbox`)."""
        return self.globals_and_locals["__temporal_in_sandbox"]

    def get_serialization_context(self, command_info: CommandInfo | None) -> SerializationContext | None:
        context: SerializationContext | None = self._in_sandbox.get_serialization_context(command_info)
        return context

    def get_external_store_context(self, command_info: CommandInfo | None) -> StorageDriverStoreContext:
        context: StorageDriverStoreContext = self._in_sandbox.get_external_store_context(command_info)
        return context


class OrderSandboxRunner(SandboxedWorkflowRunner):
    def create_instance(self, det: WorkflowInstanceDetails) -> WorkflowInstance:
        return _CompiledOnceInstance(det, self.runner_class, self.restrictions)


def workflow_runner() -> SandboxedWorkflowRunner:
    """The sandbox, with our own deterministic packages passed through rather than re-imported."""
    restrictions = SandboxRestrictions.default.with_passthrough_modules(*PASSED_THROUGH)
    return OrderSandboxRunner(restrictions=restrictions)
