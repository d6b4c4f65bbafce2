"""What the tests share, one of each (imported as ``from tests.support.<module> import ...``).

- ``sim``: the simulator's start time, a demo simulator, aiobotocore clients on it, fake clocks.
- ``apps``: the one "real App on the simulator" factory (``sim_app``), its cleanup, and the steps
  every screen test takes (wait until loaded, open a pipeline, wait for a screen).
- ``wait``: bounded waits on a condition (never a bare sleep) and the screen as text.
- ``notices``: every notice an app told, recorded from its birth (toasts expire; this list does not).
- ``rig``: the reliability tests' App with a poll clock they drive, and a call log.
- ``aws``: an isolated AWS environment, real ClientErrors, a scripted HTTP endpoint.
- ``harness``, ``samples``: a stand-in App and hand-made model objects for screen-logic tests.
- ``shapecheck``, ``shapegen``: responses checked against, and generated from, botocore's shapes.
"""
