"""Test configuration: no network, repeatable hypothesis runs on CI."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, Phase, settings

# CI machines are shared and slow: no deadlines, and a fixed derivation so a failure repeats.
settings.register_profile(
    "ci",
    deadline=None,
    derandomize=True,
    max_examples=60,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
# The mutation run (docs/MUTATION.md): CI's draws exactly, so a test fails under a mutant
# exactly when it would in CI, but no shrinking of the failure, which nobody reads there.
settings.register_profile("mutation", settings.get_profile("ci"), phases=(Phase.explicit, Phase.reuse, Phase.generate, Phase.target))
settings.register_profile("dev", deadline=None, max_examples=60)
settings.register_profile("explore", deadline=None, max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))
