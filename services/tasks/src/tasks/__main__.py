"""Run the tasks service: ``python -m tasks``, under Granian with the edge limits, on TASKS_HOST:TASKS_PORT."""

from tasks.config import Settings
from todo_shared.server import serve_service
from todo_shared.settings import load_settings

if __name__ == "__main__":
    settings = load_settings(Settings)
    serve_service("tasks", settings, host=settings.tasks_host, port=settings.tasks_port)
