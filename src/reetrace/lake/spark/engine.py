"""The `spark` engine of `--engine`: a `SparkSource` over a lake that covers the ledger.

A lake behind the ledger would let a check judge a stale copy while the
detection run records the ledger's newest event as judged, so the lake must be
at the ledger's chain head (`reetrace lake export` first).
"""

from __future__ import annotations

from reetrace.compliance.engines import Engine
from reetrace.core.errors import ErrorCode, ReetraceError
from reetrace.lake.manifest import manifest_read
from reetrace.lake.spark.frames import LakeFrames, LakeNotReady
from reetrace.lake.spark.session import SparkUnavailable, spark_session
from reetrace.lake.spark.source import PORTED, SparkSource
from reetrace.lake.storage import LakeLocationError, lake_open


def spark_open(location: str) -> SparkSource:
    from reetrace.ledger.models import ChainHead

    try:
        lake = lake_open(location)
        manifest = manifest_read(lake)  # before starting Spark: a missing lake fails fast
        if manifest is None:
            raise LakeNotReady(f"no lake at {location}: run reetrace lake export --out {location}")
        frames = LakeFrames(spark_session(), lake, manifest)
    except (LakeLocationError, LakeNotReady, SparkUnavailable, OSError, ValueError) as exc:
        raise ReetraceError(ErrorCode.INVALID, str(exc), field="lake") from exc
    head = ChainHead.objects.filter(pk=1).first()
    position, last = (head.length, head.last_hash) if head else (0, "")
    chain = frames.manifest.chain
    if (chain.position, chain.head_hash) != (position, last):
        raise ReetraceError(
            ErrorCode.INVALID,
            f"the lake at {location} covers chain position {chain.position}, the ledger is "
            f"at {position}: run reetrace lake export --out {location} first",
            field="lake",
        )
    return SparkSource(frames)


SPARK = Engine(
    name="spark",
    open=spark_open,
    rules=PORTED,
    needs="pip install 'reetrace[spark]', Java 17+, REETRACE_SPARK_MASTER",
)
