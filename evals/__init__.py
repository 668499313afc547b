"""Evals of the agent: YAML datasets, typed scorers and a gated runner (``cashflow eval``)."""
