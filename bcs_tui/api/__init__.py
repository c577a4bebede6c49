"""The BCS mesos API layer: `BcsClient` (client.py), pydantic models (models.py) and one error
hierarchy (errors.py). Knows nothing of the UI."""

from bcs_tui.api.errors import (
    ApiError,
    AuditFailure,
    AuthError,
    BcsError,
    InvalidRequest,
    KubeError,
    ProtocolError,
    ReadOnlyError,
    TransportError,
    WriteOutcomeUnknown,
)

__all__ = [
    "ApiError",
    "AuditFailure",
    "AuthError",
    "BcsError",
    "InvalidRequest",
    "KubeError",
    "ProtocolError",
    "ReadOnlyError",
    "TransportError",
    "WriteOutcomeUnknown",
]
