"""Locked environments ("setups"): lock readers, `env verify`, `env recommend`.

The setups themselves (environment.yml, pip locks, conda-lock.yml) live in envs/ of the
repository; dlcheck/envs/setups.toml describes them.
"""
