"""The deterministic demo company (Bluebird Office Supply Co.)."""
