"""What an AWS error says: its code, message and HTTP status, and the one rule for "it does not exist".

Every step of every plugin asks the same question after a failed read or delete ("is it simply not
there?"), so the answer is decided here once: code by code, services disagree (``ResourceNotFoundException``
from Lambda, ``NoSuchEntity`` from IAM, ``TargetGroupNotFound`` from ELB, a bare ``404`` from S3's HEAD).
"""

from __future__ import annotations

NOT_FOUND_CODES = frozenset({
    "ResourceNotFoundException", "NoSuchEntity", "NoSuchEntityException", "NoSuchBucket", "NoSuchKey", "404",
    "NotFound", "NotFoundException",
})


def _unwrap(exc: BaseException) -> BaseException:
    """boto3's transfer errors (S3UploadFailedError) wrap the ClientError that says what happened."""
    seen = 0
    while getattr(exc, "response", None) is None and seen < 5:
        inner = exc.__cause__ or exc.__context__
        if inner is None:
            break
        exc, seen = inner, seen + 1
    return exc


def error_code(exc: BaseException) -> str:
    """The AWS error code (``"ResourceNotFoundException"``), ``""`` for anything that is not an AWS answer."""
    response = getattr(_unwrap(exc), "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Code", "") or "")
    return ""


def error_message(exc: BaseException) -> str:
    exc = _unwrap(exc)
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Message", "") or exc)
    return str(exc)


def http_status(exc: BaseException) -> int:
    response = getattr(_unwrap(exc), "response", None)
    if isinstance(response, dict):
        return int(response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
    return 0


def is_not_found(exc: BaseException) -> bool:
    """Whether AWS answered that the thing asked about does not exist.

    True for the codes of :data:`NOT_FOUND_CODES`, any ``...NotFound``/``...NotFoundException`` code
    (``TargetGroupNotFound``, ``ProvisionedConcurrencyConfigNotFoundException``), any ``NoSuch...`` code
    (``NoSuchBucketPolicy``) and any HTTP 404. An action the local AWS has not implemented is not an absence:
    it stays an error."""
    if "not yet implemented" in error_message(exc).lower():
        return False
    code = error_code(exc)
    return (code in NOT_FOUND_CODES or code.endswith(("NotFound", "NotFoundException")) or code.startswith("NoSuch")
            or http_status(exc) == 404)


def is_aws_error(exc: BaseException) -> bool:
    """An error of botocore or boto3 (an AWS answer, or no answer at all), as opposed to a bug."""
    try:
        from boto3.exceptions import Boto3Error
        from botocore.exceptions import BotoCoreError, ClientError
    except ImportError:  # pragma: no cover
        return False
    return isinstance(exc, (ClientError, BotoCoreError, Boto3Error))
