"""Run the auth service: ``python -m auth``, under Granian with the edge limits, on AUTH_HOST:AUTH_PORT."""

from auth.config import Settings
from todo_shared.logging import logging_config
from todo_shared.server import server
from todo_shared.settings import load_settings

if __name__ == "__main__":
    settings = load_settings(Settings)
    console = settings.env == "development"
    log_config = logging_config(service="auth", level=settings.log_level, console=console)
    server(
        "auth.main:create_app", host=settings.auth_host, port=settings.auth_port, limits=settings, log_config=log_config
    ).serve()
