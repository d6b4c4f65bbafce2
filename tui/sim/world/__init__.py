"""The simulated world: state records, the execution flow, operations, runners and history."""
