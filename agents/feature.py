"""The feature agent: one feature of the spec (the task's scope names it) — a game, a converter, a
reminder — built by a model into the project the other agents generated.

A feature lives in one part or both. Each part's stack names the folders its files go in and says
how it plugs in (`Stack.feature_area`, `Stack.feature_guide`): the part's core files discover what
is in those folders, so a feature is new files only and never edits a file another task wrote. Its
tests carry the ids of the feature's acceptance criteria, which the verify stage proves from the
test reports. Offline there is no model to write it: the task writes nothing and says so.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from .base import AgentContext, AgentResult, PermanentAgentError
from .criteria import feature_criteria
from .file_agent import CONTEXT_TOKEN_BUDGET, CONTRACT_PATH, SPEC_PATH, FileAgent, in_area, read_spec, relevant_upstream
from .patches import CHANGES_GUIDE
from .registry import register
from .spec import Feature, Spec
from .spec_words import PART_WORDS
from .stacks import get_stack


@register
class FeatureAgent(FileAgent):
    name = "feature"
    description = (
        "Builds one feature of the spec with a model (scope: [its name]): behaviour beyond records, such as "
        "a game, a converter or a reminder, as new files in the features folder of each part it lives in, "
        "with tests tagged with its acceptance criteria's ids. Offline it is not built."
    )
    area = ()  # each feature's own folders: see feature_area
    reads = (SPEC_PATH, CONTRACT_PATH)
    role = "You build one feature into a project the team already generated, as new files only."

    def feature(self, spec: Spec, context: AgentContext) -> Feature:
        names = {feature.name: feature for feature in spec.features}
        if len(context.scope) != 1 or context.scope[0] not in names:
            known = ", ".join(names) or "none"
            raise PermanentAgentError(
                f"A feature task's scope names one feature of the spec (its features: {known}); "
                f"this one names {', '.join(context.scope) or 'none'}."
            )
        return names[context.scope[0]]

    def feature_area(self, spec: Spec, feature: Feature) -> tuple[str, ...]:
        return tuple(folder for part in feature.parts for folder in self.stack(spec, part).feature_area(spec, feature))

    @staticmethod
    def stack(spec: Spec, part: str):
        return get_stack(getattr(spec.stack, part))

    def offline(self, spec: Spec, context: AgentContext) -> dict[str, str]:
        return {}

    def offline_reasoning(self, spec: Spec, context: AgentContext, files: dict[str, str]) -> str:
        return (
            f"Not built: {self.feature(spec, context).title} needs a model to write it, and this run has none. "
            "Configure one (see the README) and run again."
        )

    def run(self, context: AgentContext) -> AgentResult:
        spec = read_spec(context.upstream)
        if context.provider is None or context.provider.offline:
            return AgentResult(files={}, reasoning=self.offline_reasoning(spec, context, {}))
        return self.changes(spec, context, self.prompt(spec, context, {}), base={}, keep=False, at_least_one=True)

    def prompt(self, spec: Spec, context: AgentContext, scaffold: dict[str, str]) -> str:
        """The feature's task: it writes new files only, so `scaffold` is empty."""
        feature = self.feature(spec, context)
        criteria = feature_criteria(spec, feature)
        prefixes = tuple(f"{self.stack(spec, part).root}/" for part in feature.parts)
        shown = relevant_upstream(context.upstream, prefixes, CONTEXT_TOKEN_BUDGET)
        parts = [
            f"Request: {context.request}",
            f"Task: {context.title}\n{context.instructions}",
            f"The feature: {feature.title} ({PART_WORDS[feature.part]})\n{feature.text}",
            "Its acceptance criteria; prove each with at least one test tagged with its id:\n"
            + "\n".join(f"- {c.id}: {c.text}" for c in criteria),
            f"Write your files only in: {', '.join(self.feature_area(spec, feature))}. The project's other files are "
            "written by other tasks and stay as they are: the part's own files find yours there.",
        ]
        parts += [
            f"How a feature plugs into {PART_WORDS[part]}:\n{self.stack(spec, part).feature_guide(spec, feature)}"
            for part in feature.parts
        ]
        parts.append(f"Spec:\n{json.dumps(spec.model_dump(), indent=1)}")
        parts += [f"--- upstream file {path} ---\n{text}" for path, text in shown.items() if path != SPEC_PATH]
        return "\n\n".join(parts)

    def may_write(self, spec: Spec, context: AgentContext) -> Callable[[str], bool]:
        area = self.feature_area(spec, self.feature(spec, context))
        return lambda path: in_area(path, area)

    def area_words(self, spec: Spec, context: AgentContext) -> str:
        feature = self.feature(spec, context)
        return f"the task of the feature {feature.name} may only write {', '.join(self.feature_area(spec, feature))}"

    def system_prompt(self, spec: Spec, context: AgentContext) -> str:
        feature = self.feature(spec, context)
        return (
            f"You are the feature agent of a team generating a full-stack project. {self.role} Write only under "
            f"{', '.join(self.feature_area(spec, feature))}, with relative POSIX paths. {CHANGES_GUIDE}"
        )
