"""Rendering SageMaker pipeline definitions offline, for the tests of ``steplint.reference``.

The recipe is the one in the domain notes ("Rendering a pipeline definition offline",
checked with sagemaker 2.257.7): no credentials, the region from ``AWS_DEFAULT_REGION``, no
instance metadata, the SDK's telemetry off, and a boto3 session whose only S3 calls are
answered by stubs: ``s3.ListBuckets`` (``Session.default_bucket()`` lists buckets even when
``default_bucket`` is given, and without the bucket's ``CreationDate`` it falls through to
``HeadBucket``) and ``s3.PutObject`` (a local script or ``source_dir`` is uploaded when the
definition is built). Every socket connection is refused *and recorded*, so a test can
assert that none was attempted even where the SDK swallows the error (its telemetry does).

This module is used in the test process (``offline`` fixtures) and, through
``python -m tests.offline_sdk SCRIPT``, to run a script in a subprocess under the same guard.
"""

from __future__ import annotations

import datetime
import os
import runpy
import socket
import sys
from dataclasses import dataclass, field
from pathlib import Path

BUCKET = "steplint-test-bucket"
ROLE = "arn:aws:iam::111122223333:role/SageMakerExecutionRole"
REGION = "us-east-1"
TELEMETRY_OPT_OUT = """\
SchemaVersion: '1.0'
SageMaker:
  PythonSDK:
    Modules:
      TelemetryOptOut: true
"""
CREDENTIAL_VARIABLES = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
                        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI")
NETWORK_ATTEMPT_EXIT = 97


def offline_environment(directory: Path) -> dict:
    """Environment variables for an offline render; ``directory`` receives the SDK config file.

    Returns the variables to set (the ``CREDENTIAL_VARIABLES`` must be removed as well).
    """
    config = directory / "sagemaker-config.yaml"
    config.write_text(TELEMETRY_OPT_OUT)
    return {
        "AWS_DEFAULT_REGION": REGION,
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": str(directory / "no-aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(directory / "no-aws-credentials"),
        "SAGEMAKER_USER_CONFIG_OVERRIDE": str(config),
        "SAGEMAKER_SUPPRESS_V2_WARNING": "1",
    }


def subprocess_environment(directory: Path, python_path: list) -> dict:
    """The current environment made offline, with ``python_path`` on ``PYTHONPATH``."""
    environment = {key: value for key, value in os.environ.items() if key not in CREDENTIAL_VARIABLES}
    environment.update(offline_environment(directory))
    environment["PYTHONPATH"] = os.pathsep.join(str(path) for path in python_path)
    return environment


@dataclass
class NetworkGuard:
    """Refuses every name lookup and socket connection, and records what was asked for.

    Name lookups count: an HTTP client resolves the host before it connects, so where DNS
    works the lookup itself leaves the machine, and where it does not the connection is
    never attempted (the SDK's telemetry fails that way and swallows the error).
    """

    attempts: list = field(default_factory=list)

    def refuse(self, *args, **kwargs):
        self.attempts.append(args[1:2] or args[:1])
        raise OSError("network access is disabled while rendering offline")

    def resolve(self, host, port, *args, **kwargs):
        self.attempts.append(((host, port),))
        raise socket.gaierror(socket.EAI_NONAME, "name lookups are disabled while rendering offline")

    def install(self, setattr_=setattr) -> NetworkGuard:
        """Patch ``socket.getaddrinfo``, ``socket.socket.connect`` / ``connect_ex`` and
        ``socket.create_connection`` (``setattr_`` may be pytest's ``monkeypatch.setattr`` so
        the patch is undone after the test)."""
        setattr_(socket, "getaddrinfo", self.resolve)
        setattr_(socket.socket, "connect", lambda sock, *args, **kwargs: self.refuse(sock, *args))
        setattr_(socket.socket, "connect_ex", lambda sock, *args, **kwargs: self.refuse(sock, *args))
        setattr_(socket, "create_connection", lambda *args, **kwargs: self.refuse(None, *args))
        return self


def go_offline(monkeypatch, directory: Path) -> NetworkGuard:
    """Make this process offline with pytest's ``monkeypatch`` (undone afterwards): no
    credentials, the ``offline_environment`` (SDK config file in ``directory``), and an
    installed ``NetworkGuard``, which is returned."""
    for variable in CREDENTIAL_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    for variable, value in offline_environment(directory).items():
        monkeypatch.setenv(variable, value)
    return NetworkGuard().install(monkeypatch.setattr)


@dataclass(frozen=True)
class Upload:
    """One ``s3.PutObject`` the SDK or a builder made: bucket, key and the bytes it sent."""

    bucket: str
    key: str
    body: bytes


def stub_boto_session(bucket: str = BUCKET):
    """A ``boto3.Session`` answering ``s3.ListBuckets`` with ``bucket`` and recording ``s3.PutObject``.

    Returns ``(session, uploads)``; ``uploads`` is a list of ``Upload`` that grows as the
    SDK uploads. The stubs are botocore ``before-call`` hooks, which short-circuit the call
    before it is signed or sent.
    """
    import boto3
    from botocore.awsrequest import AWSResponse

    uploads: list = []

    def answer(parsed):
        return AWSResponse(f"https://{bucket}.s3.amazonaws.com", 200, {}, None), parsed

    def list_buckets(**kwargs):
        return answer({"Buckets": [{"Name": bucket, "CreationDate": datetime.datetime(2024, 1, 1)}],
                       "ResponseMetadata": {"HTTPStatusCode": 200}})

    def put_object(params, context, **kwargs):
        body = params.get("body", b"")
        data = body.read() if hasattr(body, "read") else bytes(body)
        called = context["input_params"]
        uploads.append(Upload(called["Bucket"], called["Key"], data))
        return answer({"ETag": '"0"', "ResponseMetadata": {"HTTPStatusCode": 200}})

    session = boto3.Session(region_name=REGION)
    session.events.register("before-call.s3.ListBuckets", list_buckets)
    session.events.register("before-call.s3.PutObject", put_object)
    return session, uploads


def pipeline_session(bucket: str = BUCKET):
    """``(PipelineSession, uploads)`` on a stubbed boto3 session (see ``stub_boto_session``)."""
    from sagemaker.workflow.pipeline_context import PipelineSession

    boto_session, uploads = stub_boto_session(bucket)
    return PipelineSession(boto_session=boto_session, default_bucket=bucket), uploads


def main(argv: list) -> int:
    """``python -m tests.offline_sdk SCRIPT [ARGS...]``: run SCRIPT under a ``NetworkGuard``.

    Exits with SCRIPT's status, or ``NETWORK_ATTEMPT_EXIT`` (printing the addresses to
    stderr) when anything tried to look a name up or open a connection, even if the error
    was swallowed.
    """
    guard = NetworkGuard().install()
    script, *arguments = argv
    sys.argv = [script, *arguments]
    status = 0
    try:
        runpy.run_path(script, run_name="__main__")
    except SystemExit as exit_:
        status = exit_.code if isinstance(exit_.code, int) else 1
    if guard.attempts:
        print(f"network access attempted: {guard.attempts}", file=sys.stderr)
        return NETWORK_ATTEMPT_EXIT
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
