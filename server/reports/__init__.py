"""Reports and SOS from residents and guards, and their case workflow."""
