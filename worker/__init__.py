"""The worker: the one place that wires workflows, activities and their clients together."""
