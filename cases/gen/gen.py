#!/usr/bin/env python3
"""Writes cases/*.jsonl. Throwaway: `python3 cases/gen/gen.py [name ...]`; the build and the
tests only read the generated files."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from lib import Case, cst  # noqa: E402
import business  # noqa: E402
import hardware  # noqa: E402
import network  # noqa: E402
import seeds  # noqa: E402
import software  # noqa: E402

# name, function, seed, day, start (CST), time-zone style, disorder (s)
CASES = [
    ("seed_shop_power_e1", seeds.seed_shop_power, 101, "2026-11-14", "13:25", "Z", 0),
    ("seed_restaurant_router", seeds.seed_restaurant_router, 102, "2026-11-21", "11:20", "+08:00", 0),
    ("hardware_keypad", hardware.hardware_keypad, 201, "2026-10-09", "09:00", "Z", 0),
    ("hardware_display", hardware.hardware_display, 202, "2026-10-12", "13:00", "+08:00", 0),
    ("hardware_card_reader", hardware.hardware_card_reader, 203, "2026-10-15", "08:30", "Z", 0),
    ("hardware_printer", hardware.hardware_printer, 204, "2026-10-17", "14:00", "Z", 0),
    ("hardware_board", hardware.hardware_board, 205, "2026-10-20", "09:00", "+08:00", 0),
    ("power_supply", hardware.power_supply, 206, "2026-10-23", "07:00", "Z", 0),
    ("power_battery", hardware.power_battery, 207, "2026-10-25", "17:00", "Z", 0),
    ("network_signal", network.network_signal, 301, "2026-11-02", "13:00", "Z", 0),
    ("network_lan", network.network_lan, 302, "2026-11-04", "09:30", "+08:00", 0),
    ("network_carrier", network.network_carrier, 303, "2026-11-28", "11:10", "Z", 30),
    ("transmission_corruption", network.transmission_corruption, 304, "2026-11-06", "18:30", "Z", 0),
    ("software_bug", software.software_bug, 401, "2026-11-09", "09:10", "Z", 0),
    ("software_incompatible", software.software_incompatible, 402, "2026-11-11", "08:35", "Z", 0),
    ("software_config", software.software_config, 403, "2026-11-13", "12:30", "+08:00", 0),
    ("security_keys", software.security_keys, 404, "2026-11-16", "09:45", "Z", 0),
    ("security_certificate", software.security_certificate, 405, "2026-12-03", "08:40", "Z", 0),
    ("resource_storage", software.resource_storage, 406, "2026-11-18", "06:30", "Z", 0),
    ("resource_memory", software.resource_memory, 407, "2026-11-19", "08:00", "+08:00", 0),
    ("resource_cpu", software.resource_cpu, 408, "2026-11-20", "17:40", "Z", 0),
    ("operator_error", business.operator_error, 501, "2026-11-23", "11:00", "Z", 0),
    ("business_txn_type", business.business_txn_type, 502, "2026-11-24", "10:00", "Z", 0),
    ("business_limit", business.business_limit, 503, "2026-11-25", "10:30", "Z", 0),
    ("business_risk", business.business_risk, 504, "2026-11-26", "13:30", "+08:00", 0),
    ("business_merchant", business.business_merchant, 505, "2026-11-27", "09:00", "Z", 0),
    ("upstream_acquirer", business.upstream_acquirer, 506, "2026-12-06", "18:10", "Z", 40),
    ("upstream_issuer", business.upstream_issuer, 507, "2026-12-08", "11:00", "Z", 0),
    ("card_decline", business.card_decline, 508, "2026-12-10", "14:00", "Z", 0),
]


def demo():
    """A short mixed fleet day: both seed cases, a keys fault and an out-of-paper printer."""
    c = Case("demo", 900)
    day = "2026-12-12"
    seeds.seed_shop_power(c, cst(day, "13:05"), pre=20, power=60, post=45)
    seeds.seed_restaurant_router(c, cst(day, "11:40"), pre=20, fault=50, post=20)
    software.security_keys(c, cst(day, "12:10"), pre=30, post=20)
    hardware.hardware_printer(c, cst(day, "13:50"), pre=30, post=20)
    c.write(disorder=20)


def main():
    only = set(sys.argv[1:])
    for name, fn, seed, day, start, tz, disorder in CASES:
        if only and name not in only:
            continue
        c = Case(name, seed, tz=tz)
        fn(c, cst(day, start))
        c.write(disorder=disorder)
    if not only or "demo" in only:
        demo()


if __name__ == "__main__":
    main()
