"""The order workflow: the workflow class (handlers and main line) and one module per business step."""

from workflows.order.workflow import OrderWorkflow

__all__ = ["OrderWorkflow"]
