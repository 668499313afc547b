"""The agent: LangGraph graph, state, approval, runtime and the ``cashflow`` CLI."""
