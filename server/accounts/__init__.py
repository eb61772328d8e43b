"""People and devices: accounts with roles, organisations, anonymous devices."""
