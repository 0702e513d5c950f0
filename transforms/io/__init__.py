"""IO: the Kafka source (and its poison-pill quarantine), the Elasticsearch and dead-letter sinks, clients and publishing."""
