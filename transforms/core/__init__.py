"""Shared by stages and IO: the stage contract, dead letters, wire formats (codec), metrics, errors."""
