"""Which provider and model each agent calls ("models per agent").

A route is written `agent=provider:model`, several separated by commas:

    docs=openai:llama3.2:3b, devops=openai, backend=gemini:gemini-2.5-pro

The model is everything after the first ":" (Ollama's names have colons of their own); without
one the provider's configured model is used. An agent's route is the project's own, else the
deployment's (settings.LLM_ROUTES), else the project's provider. The deployment's routes do not
apply to a project that chose the offline provider: whoever picked it expects no model calls.
Only agents that call a model are routed: not verify, whose repairs are new attempts of the
tasks that wrote the files; and not the planner, which always uses the project's provider.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings
from django.core.checks import CheckMessage, Error

# The package itself, read when a function runs: it imports this module before PROVIDERS exists.
from agents import providers
from agents.registry import listed_agents


@dataclass(frozen=True)
class Route:
    provider: str
    model: str = ""  # "": the provider's configured model

    @classmethod
    def parse(cls, text: str) -> Route:
        """ "provider" or "provider:model", as stored in Project.llm_routes; not checked here."""
        provider, _, model = text.partition(":")
        return cls(provider.strip(), model.strip())

    def __str__(self) -> str:
        return f"{self.provider}:{self.model}" if self.model else self.provider

    @property
    def offline(self) -> bool:
        cls = providers.PROVIDERS.get(self.provider)
        return cls is not None and cls.offline

    @property
    def label(self) -> str:
        """For people: "Gemini, gemini-2.5-pro", or the provider alone when the model is not known."""
        cls = providers.PROVIDERS.get(self.provider)
        name = cls.label if cls else self.provider
        return f"{name}, {self.model}" if self.model else name


def routable_agents() -> list[str]:
    """The agents a route may name: those a plan may use that ask a model themselves."""
    return [name for name, agent in listed_agents().items() if agent.calls_model]


def parse_routes(text: str) -> dict[str, Route]:
    """`agent=provider:model, agent2=provider` as routes by agent; ValueError in plain words."""
    routes: dict[str, Route] = {}
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        agent, equals, target = (part.strip() for part in item.partition("="))
        if not equals or not agent or not target or target.startswith(":"):
            raise ValueError(
                f"“{item}” is not a route: write agent=provider or agent=provider:model, "
                f"for example docs=openai:llama3.2."
            )
        if agent not in routable_agents():
            raise ValueError(
                f"There is no agent called “{agent}” that calls a model; "
                f"the agents you can route are {', '.join(routable_agents())}."
            )
        if agent in routes:
            raise ValueError(f"{agent} is given twice; give each agent one route.")
        route = Route.parse(target)
        if route.provider not in providers.PROVIDERS:
            raise ValueError(
                f"There is no provider called “{route.provider}” (for {agent}); "
                f"choose one of {', '.join(providers.PROVIDERS)}."
            )
        if target.endswith(":"):
            raise ValueError(
                f"“{item}” names no model after the colon: give one, or leave the colon out to use the provider's own."
            )
        routes[agent] = route
    return routes


def format_routes(routes: Mapping[str, Route | str]) -> str:
    """Routes (or their stored "provider:model" texts) back in the syntax parse_routes reads."""
    return ", ".join(f"{agent}={route}" for agent, route in routes.items())


def unconfigured(routes: Mapping[str, Route]) -> dict[str, type[providers.Provider]]:
    """The routes whose provider is not set up on this server: agent -> that provider."""
    return {
        agent: providers.PROVIDERS[route.provider]
        for agent, route in routes.items()
        if not providers.PROVIDERS[route.provider].is_configured()
    }


def route_for(agent: str, *, project_provider: str, project_routes: Mapping[str, str]) -> Route:
    """The provider and model `agent` calls in a project (see the module's docstring for the order)."""
    if agent in project_routes:
        return Route.parse(project_routes[agent])
    if project_provider != providers.OfflineProvider.name:
        deployment = parse_routes(settings.LLM_ROUTES)
        if agent in deployment:
            return deployment[agent]
    return Route(project_provider or providers.default_provider_name())


def resolved(route: Route) -> Route:
    """The route with the provider's configured model filled in, so that what is stored and shown is
    the model actually called."""
    cls = providers.PROVIDERS.get(route.provider)
    if route.model or cls is None or not cls.model_setting:
        return route
    return Route(route.provider, getattr(settings, cls.model_setting))


def check_llm_routes(app_configs=None, **kwargs) -> list[CheckMessage]:
    """A system check: a typo in LLM_ROUTES stops `manage.py check` and the server, saying what is wrong."""
    try:
        routes = parse_routes(settings.LLM_ROUTES)
    except ValueError as exc:
        return [Error(f"LLM_ROUTES: {exc}", hint="See README “Models per agent”.", id="agents.E001")]
    return [
        Error(f"LLM_ROUTES sends {agent} to {cls.label}, which is not set up: {cls.requirement}.", id="agents.E002")
        for agent, cls in unconfigured(routes).items()
    ]
