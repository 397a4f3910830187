"""Sub-commands of the qareview CLI, one module per area."""
