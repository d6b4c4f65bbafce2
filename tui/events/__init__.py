"""Push mode: CodePipeline and CodeBuild state changes through EventBridge into an SQS queue.

- ``resources``: the names, event pattern, queue attributes, policy and tags setup uses;
- ``admin``: ``plan`` / ``setup`` / ``status`` / ``teardown`` of one target's queue and rule;
- ``consumer``: parse the event JSON, drop duplicates, keep per-execution order by ``time``, and
  turn each event into a store update;
- ``receiver``: the long-polling loop over one queue (ReceiveMessage, DeleteMessageBatch,
  ChangeMessageVisibility 0 for what was received but not applied).

Nothing here imports Textual: the CLI (``cptui events ...``) and the app share it.
"""
