"""Reading requests with a language model: what the app keeps, in the terms of the spec, and what
offline mode will not build. `read` gives the Reading; `to_spec` maps it to the Spec."""

from .reader import read
from .reading import Behaviour, Detail, Link, Reading, Record, Tally

__all__ = ["Behaviour", "Detail", "Link", "Reading", "Record", "Tally", "read"]
