"""pantau's pipelines and their entry points: the ingest pipeline, the monitor job, options, the CLI."""
