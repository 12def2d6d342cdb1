"""CPU time the mailer spends composing and checking one mail (``outgoing.build``), with
the email package's stock header registry as the baseline measured in the same run.

    python bench/mail.py --mails 2000
"""

from __future__ import annotations

import argparse
import sys
import time
from email.headerregistry import HeaderRegistry
from email.policy import default
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from luotsi.service import outgoing
from luotsi.service.store import OutboxItem

ITEM = OutboxItem(1, None, "booking-received", "bench@example.com",
                  "We received your booking request RT-2026-00042", "Hei Bench,\n\n"
                  + "Kiitos varauspyynnöstä. " * 30 + "\n", "bookings@example.com", 0)


def per_mail(count: int) -> float:
    """Milliseconds of CPU per mail, after a warm-up."""
    for _ in range(count // 10):
        outgoing.build(ITEM, "noreply@example.com", "Revontuli Oy")
    started = time.process_time()
    for _ in range(count):
        outgoing.build(ITEM, "noreply@example.com", "Revontuli Oy")
    return (time.process_time() - started) / count * 1000


def stock_policies() -> tuple[object, object, object]:
    registry = HeaderRegistry()
    registry.map_to_type("list-unsubscribe", outgoing.UnfoldedHeader)
    return (outgoing.POLICY.clone(header_factory=registry),
            outgoing.POLICY_UTF8.clone(header_factory=registry), default)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mails", type=int, default=2000)
    args = parser.parse_args()
    ours = (outgoing.POLICY, outgoing.POLICY_UTF8, outgoing.READER)
    outgoing.POLICY, outgoing.POLICY_UTF8, outgoing.READER = stock_policies()
    baseline = per_mail(args.mails)
    outgoing.POLICY, outgoing.POLICY_UTF8, outgoing.READER = ours
    kept = per_mail(args.mails)
    print(f"one booking mail composed and checked, {args.mails} times:")
    print(f"  stock header registry (baseline)  {baseline:6.3f} ms CPU per mail")
    print(f"  one class per header name         {kept:6.3f} ms CPU per mail "
          f"({kept / baseline:.2f}×)")


if __name__ == "__main__":
    main()
