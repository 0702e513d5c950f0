"""The ingest stages: decode, validate, normalize, enrich, tag, pseudonymize (one per module, each a pure function, its StageFn and its Stage)."""
