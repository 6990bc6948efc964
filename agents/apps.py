from django.apps import AppConfig
from django.core import checks


class AgentsConfig(AppConfig):
    name = "agents"
    verbose_name = "Agents"

    def ready(self) -> None:
        from .providers.routes import check_llm_routes

        checks.register(check_llm_routes)
