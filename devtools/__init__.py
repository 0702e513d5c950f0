"""Developer tooling a production install does not need: the embedded local stack, the sample generator, the demo."""
