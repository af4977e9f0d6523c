"""The national operator's tracking information system (Order 407 §3(4), §11).

Devices (navigation seals) report over their own protocols; each protocol is a sans-IO
decoder (`kzreg.tracking.protocols`) turning bytes into normalized `Position`s and the
replies the device expects. The listeners, storage and detection pipeline are built around
that one interface, so a protocol is added without touching them.
"""

from kzreg.tracking.position import Position, SealState

__all__ = ["Position", "SealState"]
