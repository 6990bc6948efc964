"""Deterministic generators: an agents.spec.Spec in, {path: content} of one part of the generated project out."""
