"""The embedded local AWS: moto server, local Lambda executor, HTTP gateway and scheduler."""
