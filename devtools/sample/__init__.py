"""The deterministic generator of the bundled demo sample and its content."""
