"""Signed checkpoints of the chain head, kept outside the database.

The hash chain shows that no row was changed behind the chain's back, but whoever
can write every table could recompute every seal and link consistently. A
checkpoint is the head (position, event, hash, time) signed with an Ed25519 key
that the database does not hold: once a checkpoint file is kept elsewhere (mailed
to the regulator, printed, put in another system), a rewritten chain no longer
reaches it, and `verify-chain --checkpoint FILE` says so. Each checkpoint is also
recorded in the database so the public verification page can show the newest.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.utils import timezone

from reetrace.ledger.chain import chain_position_hash
from reetrace.ledger.models import ChainHead, Checkpoint, Event


class CheckpointError(Exception):
    """A checkpoint that cannot be made, read or proved; the message says which part."""


@dataclass(frozen=True)
class SignedCheckpoint:
    position: int
    event_id: str
    chain_hash: str
    signed_at: str
    public_key: str
    signature: str

    def material(self) -> bytes:
        unsigned = {k: v for k, v in asdict(self).items() if k not in ("public_key", "signature")}
        return json.dumps(unsigned, sort_keys=True, separators=(",", ":")).encode()


def key_create(path: Path | None = None) -> Path:
    """Write a new Ed25519 private key (PEM, owner-only); refuses to overwrite one."""
    path = Path(path or settings.REETRACE_CHECKPOINT_KEY)
    if path.exists():
        raise CheckpointError(f"{path} already exists; a checkpoint key is never replaced silently")
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.touch(mode=0o600)
    path.write_bytes(pem)
    return path


def _key_load(path: Path | None = None) -> Ed25519PrivateKey:
    path = Path(path or settings.REETRACE_CHECKPOINT_KEY)
    if not path.exists():
        raise CheckpointError(
            f"no checkpoint key at {path}; create one with `reetrace chain keygen`"
        )
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise CheckpointError(f"{path} is not an Ed25519 private key")
    return key


def _public_hex(key: Ed25519PublicKey) -> str:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()


def checkpoint_make(key_path: Path | None = None) -> SignedCheckpoint:
    """Sign the current chain head and record it."""
    key = _key_load(key_path)
    head = ChainHead.objects.filter(pk=1).first()
    if head is None or head.length == 0:
        raise CheckpointError("the chain is empty; there is nothing to checkpoint")
    last = Event.objects.order_by("-pk").values_list("event_id", "chain_hash").first()
    if last is None or last[1] != head.last_hash:
        raise CheckpointError("the newest event does not match the chain head; run verify-chain")
    unsigned = SignedCheckpoint(
        head.length, last[0], head.last_hash, timezone.now().isoformat(), "", ""
    )
    signed = SignedCheckpoint(
        **{
            **asdict(unsigned),
            "public_key": _public_hex(key.public_key()),
            "signature": key.sign(unsigned.material()).hex(),
        }
    )
    Checkpoint.objects.create(**asdict(signed))
    return signed


def checkpoint_write(signed: SignedCheckpoint, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(asdict(signed), indent=2) + "\n")


def checkpoint_read(path: str | Path) -> SignedCheckpoint:
    try:
        raw = json.loads(Path(path).read_text())
        return SignedCheckpoint(
            **{name: raw[name] for name in SignedCheckpoint.__dataclass_fields__}
        )
    except FileNotFoundError as exc:
        raise CheckpointError("no such file") from exc
    except (ValueError, KeyError, TypeError) as exc:
        raise CheckpointError(f"not a checkpoint file ({exc})") from exc


def checkpoint_verify(signed: SignedCheckpoint, key_path: Path | None = None) -> None:
    """Prove the signature and that the stored chain still passes through the signed head.

    Call after `chain_verify` has found the chain intact: together they show the
    chain from its start through the checkpoint to its head is the one signed.
    """
    try:
        public = Ed25519PublicKey.from_public_bytes(bytes.fromhex(signed.public_key))
        public.verify(bytes.fromhex(signed.signature), signed.material())
    except (ValueError, InvalidSignature) as exc:
        raise CheckpointError("the signature does not verify: the file was altered") from exc
    path = Path(key_path or settings.REETRACE_CHECKPOINT_KEY)
    if path.exists() and _public_hex(_key_load(path).public_key()) != signed.public_key:
        raise CheckpointError("signed with another key than this installation's checkpoint key")
    if not isinstance(signed.position, int) or signed.position < 1:
        raise CheckpointError(f"position {signed.position!r} is not a chain position")
    stored = chain_position_hash(signed.position)
    if stored is None:
        raise CheckpointError(
            f"the chain is shorter than the checkpoint's position {signed.position}: "
            "events were removed"
        )
    if stored != signed.chain_hash:
        raise CheckpointError(
            f"at position {signed.position} the chain now has hash {stored[:16]}…, the checkpoint "
            f"signed {signed.chain_hash[:16]}…: the chain was rewritten"
        )


def checkpoint_latest() -> Checkpoint | None:
    return Checkpoint.objects.order_by("-position", "-pk").first()
