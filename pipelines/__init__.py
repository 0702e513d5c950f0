"""pantau pipeline composition, options, CLI, local stack, demo and tools."""
