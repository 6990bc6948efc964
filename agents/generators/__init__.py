"""What every stack shares: the names derived from the spec, sample values, and the project files no
one stack owns (README, API reference, compose, CI), which gather each chosen stack's part."""
