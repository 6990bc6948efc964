"""What the tests (tests/) and the benchmarks (bench/) share: real django-q2 clusters and the probe
plans they run, stub LLM servers driven by the real SDK clients, the scripted model, rich specs, the
verify stage run on a generated project, and the environment of a `manage.py` subprocess.

Not part of the site: the package is neither installed nor copied into the image."""
