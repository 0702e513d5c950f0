"""What analysts and ops read: the alert monitor's engine, the leader brief, the Kibana objects."""
