"""The embedded AWS simulator behind ``cptui --demo`` and the integration tests.

Speaks the real AWS wire protocols (CodePipeline, CodeBuild and CloudWatch Logs over JSON 1.1, STS
over query) on loopback; a clock-driven, seeded engine makes it deterministic. Never imports
textual.
"""

from tui.sim.clock import ManualClock, RealClock
from tui.sim.simulator import Simulator, SimulatorThread

__all__ = ["ManualClock", "RealClock", "Simulator", "SimulatorThread"]
