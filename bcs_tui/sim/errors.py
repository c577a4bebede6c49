"""Answers that are not a plain success: business errors, bare text, kube Status objects."""

from __future__ import annotations

DRIVER = "bcs-mesos-driver"
SCHEDULER = "bcs-scheduler"

# bcs-common/common/errorCode.go
CODE_BAD_REQUEST = 1405008
CODE_JSON_DECODE = 1405010
CODE_SCHEDULER = 1405200
CODE_EXISTS = 1405201
CODE_NOT_FOUND = 1405202
CODE_DRIVER_PARAMS = 1405231
CODE_MESSAGE_TYPE = 1405233
CODE_AUTH = 1405234


class SimError(Exception):
    """A business error: HTTP 200, `{"result":false,"code":N,"message":"(<proc>):text","data":{}}`."""

    def __init__(self, code: int, text: str, proc: str = SCHEDULER, http_status: int = 200) -> None:
        super().__init__(text)
        self.code = code
        self.text = text
        self.proc = proc
        self.http_status = http_status

    @property
    def message(self) -> str:
        return f"({self.proc}):{self.text}"


def driver_error(code: int, text: str) -> SimError:
    return SimError(code, text, proc=DRIVER)


class PlainTextAnswer(Exception):
    """The real server answers some requests with a bare text body (not JSON)."""

    def __init__(self, text: str, http_status: int = 200) -> None:
        super().__init__(text)
        self.text = text
        self.http_status = http_status


# go-restful's answer for an unknown route (the driver passes the scheduler's through with 200).
GO_RESTFUL_404 = "404: Page Not Found"


class KubeStatusError(Exception):
    """A kube apiserver `Status` failure, passed through by the CRD proxy with its HTTP code."""

    REASONS = {400: "BadRequest", 404: "NotFound", 409: "AlreadyExists", 422: "Invalid",
               405: "MethodNotAllowed"}

    def __init__(self, status: int, message: str, *, name: str = "", group: str = "",
                 kind: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.name = name
        self.group = group
        self.kind = kind

    def body(self) -> dict:
        details: dict = {}
        if self.name:
            details["name"] = self.name
        if self.group:
            details["group"] = self.group
        if self.kind:
            details["kind"] = self.kind
        out = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
               "message": self.message, "reason": self.REASONS.get(self.status, "BadRequest"),
               "code": self.status}
        if details:
            out["details"] = details
        return out
