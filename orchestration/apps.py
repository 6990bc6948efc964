from django.apps import AppConfig
from django.db.models.signals import post_migrate


class OrchestrationConfig(AppConfig):
    name = "orchestration"
    verbose_name = "Plans and runs"

    def ready(self) -> None:
        from django_q.signals import post_spawn

        from autodevos_site import traces

        from . import recovery

        traces.configure()  # in every process Django starts: the web's and qcluster's
        post_migrate.connect(recovery.ensure_schedule, sender=self)
        post_spawn.connect(_load_worker_code, dispatch_uid="orchestration.load_worker_code")


def _load_worker_code(**kwargs) -> None:
    """Import the executor, the agents and the LLM SDKs when a django-q2 worker starts (about a
    second), rather than during the first task it runs."""
    from agents.registry import listed_agents

    from . import tasks  # noqa: F401

    listed_agents()
