"""Logging, configured once per process."""

import logging
import logging.config

_configured = False


def configure_logging(level: str) -> None:
    global _configured
    if _configured:
        return
    logging.config.dictConfig(
        {
            "version": 1,
            "disable_existing_loggers": False,
            "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
            "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain"}},
            "root": {"level": level, "handlers": ["stderr"]},
            # Alembic announces each of its plugins at INFO on every start.
            "loggers": {"alembic.runtime.plugins": {"level": "WARNING"}},
        }
    )
    _configured = True
