"""Everything that computes: the stages, IO, shared infrastructure, social-listening logic, NLP and analyst outputs."""
