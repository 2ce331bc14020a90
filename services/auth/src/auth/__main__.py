"""Run the auth service: ``python -m auth``, under Granian with the edge limits, on AUTH_HOST:AUTH_PORT."""

from auth.config import Settings
from todo_shared.server import serve_service
from todo_shared.settings import load_settings

if __name__ == "__main__":
    settings = load_settings(Settings)
    serve_service("auth", settings, host=settings.auth_host, port=settings.auth_port)
