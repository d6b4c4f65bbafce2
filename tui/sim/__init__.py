"""The embedded AWS simulator behind ``cptui --demo`` and the integration tests.

Speaks the real AWS wire protocols (CodePipeline, CodeBuild, CloudWatch Logs and EventBridge over
JSON 1.1, SQS over JSON 1.0, STS over query) on loopback; a clock-driven, seeded engine makes it
deterministic. Never imports textual.
"""

from tui.sim.clock import ManualClock, RealClock
from tui.sim.simulator import EventQueue, Simulator, SimulatorThread

__all__ = ["EventQueue", "ManualClock", "RealClock", "Simulator", "SimulatorThread"]
