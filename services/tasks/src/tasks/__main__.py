"""Run the tasks service: ``python -m tasks``, under Granian with the edge limits, on TASKS_HOST:TASKS_PORT."""

from tasks.config import Settings
from todo_shared.logging import logging_config
from todo_shared.server import server
from todo_shared.settings import load_settings

if __name__ == "__main__":
    settings = load_settings(Settings)
    console = settings.env == "development"
    log_config = logging_config(service="tasks", level=settings.log_level, console=console)
    server(
        "tasks.main:create_app",
        host=settings.tasks_host,
        port=settings.tasks_port,
        limits=settings,
        log_config=log_config,
    ).serve()
