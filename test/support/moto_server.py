"""moto_server with the patches the cloud end-to-end test (test/cloud/moto.test.ts) needs.

Each patch is named for what it patches in moto, never in the project: where moto differs from
AWS's documentation, the project follows AWS and moto is brought in line here.
Usage: python3 moto_server.py -H 127.0.0.1 -p PORT (moto_server's own arguments).
"""
import functools
import json
import sys
from datetime import datetime


def patch_ecs_fargate_containers_without_memory():
    """getmoto/moto#7272: RunTask fails (TypeError, an HTML 500) for a Fargate task definition
    whose containers set no memory of their own. AWS requires task-level memory on Fargate and
    makes container-level memory optional (ECS Developer Guide, "Task definition parameters"), so
    a container without it counts for nothing here; the task's own memory is what Fargate sizes."""
    from moto.ecs import models

    original = models.EC2ContainerServiceBackend._calculate_task_resource_requirements

    @staticmethod
    def calculate(task_definition):
        for container in task_definition.container_definitions:
            if not any(k in container for k in ("memory", "memoryReservation", "Memory", "MemoryReservation")):
                container["memoryReservation"] = 0
        return original(task_definition)

    models.EC2ContainerServiceBackend._calculate_task_resource_requirements = calculate


def patch_events_schedule_rules_match_no_events():
    """A rule with only a ScheduleExpression matches no event sent with PutEvents (EventBridge
    User Guide, "Rules": a rule runs on a schedule OR matches an event pattern); moto matches every
    event against it and then fails (NotImplementedError, an HTML 500) on its Lambda target."""
    from moto.events import models

    original = models.Rule.send_to_targets

    def send_to_targets(self, *args, **kwargs):
        if not self.event_pattern.get_pattern():
            return None
        return original(self, *args, **kwargs)

    models.Rule.send_to_targets = send_to_targets


TIME_KEYS = ("Time", "created", "lastModified")


def epoch_seconds(value):
    """ISO 8601 → seconds since the epoch, as AWS's JSON protocols send timestamps."""
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
        except ValueError:
            return value
    return value


def with_epoch_times(node):
    if isinstance(node, dict):
        return {k: epoch_seconds(v) if k.endswith(TIME_KEYS) else with_epoch_times(v) for k, v in node.items()}
    if isinstance(node, list):
        return [with_epoch_times(v) for v in node]
    return node


def patch_codebuild_timestamps_as_strings():
    """moto's CodeBuild answers timestamps (startTime, endTime, created, …) as ISO strings; the
    AWS JSON 1.1 protocol sends them as epoch seconds, and the SDK refuses the strings
    ("Expected real number")."""
    from moto.codebuild import responses

    cls = responses.CodeBuildResponse
    for name in ("start_build", "batch_get_builds", "stop_build", "create_project", "batch_get_projects"):
        original = getattr(cls, name, None)
        if original is None:
            continue

        def wrapped(self, _original=original):
            body = _original(self)
            status, headers = 200, {}
            if isinstance(body, tuple):
                status, headers, body = body
            try:
                body = json.dumps(with_epoch_times(json.loads(body)))
            except (TypeError, ValueError):
                return body if status == 200 and not headers else (status, headers, body)
            return (status, headers, body) if (status != 200 or headers) else body

        setattr(cls, name, functools.wraps(original)(wrapped))


def patch_codebuild_start_build_overrides():
    """moto's StartBuild ignores environmentVariablesOverride, sourceTypeOverride and
    sourceLocationOverride: the build it describes carries none of them. CodeBuild's builds carry
    the overrides (CodeBuild API Reference, StartBuild), and its state-change events name the
    build's environment variables, which is how the platform finds the image a build is for."""
    from moto.codebuild import responses

    original = responses.CodeBuildResponse.start_build

    def start_build(self):
        body = json.loads(original(self))
        build = body["build"]
        stored = self.codebuild_backend.build_metadata_history[build["projectName"]][-1]
        variables = self._get_param("environmentVariablesOverride") or []
        stored["environment"] = {**stored["environment"], "environmentVariables": [{"type": "PLAINTEXT", **v} for v in variables]}
        if self._get_param("sourceTypeOverride"):
            stored["source"] = {"type": self._get_param("sourceTypeOverride"), "location": self._get_param("sourceLocationOverride")}
        return json.dumps({"build": stored})

    responses.CodeBuildResponse.start_build = start_build


if __name__ == "__main__":
    patch_ecs_fargate_containers_without_memory()
    patch_codebuild_start_build_overrides()
    patch_events_schedule_rules_match_no_events()
    patch_codebuild_timestamps_as_strings()
    from moto.server import main

    sys.exit(main(sys.argv[1:]))
