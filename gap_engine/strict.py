"""The one base model for everything a user writes: profiles, rule files, pack manifests, waivers.

Every such model refuses unknown keys (``extra="forbid"``), so a misspelt field is an error naming
it rather than a fact silently not given, and is immutable (``frozen=True``), so a profile or rule
cannot change under the engine after it is validated. One definition keeps the four file kinds
from drifting apart; a model that needs a different policy says so in its own ``model_config``.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Strict(BaseModel):
    """Unknown keys are errors; validated values never change."""

    model_config = ConfigDict(extra="forbid", frozen=True)
