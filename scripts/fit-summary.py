#!/usr/bin/env python3
"""Reads a FIT file with two independent readers, fitdecode and fitparse (both from PyPI,
installed by scripts/install-deps.sh into /opt/treadd-pyenv), each checking the header CRC
and the file CRC, and prints what the export tests compare as one JSON object. Exits
non-zero when either reader refuses the file or the two disagree.

    /opt/treadd-pyenv/bin/python scripts/fit-summary.py FILE.fit
"""
import datetime
import json
import sys

import fitdecode
import fitparse

SESSION_FIELDS = ("sport", "sub_sport", "total_distance", "total_elapsed_time", "total_timer_time",
                  "total_calories", "num_laps", "start_time")
DEVELOPER_FIELDS = ("backwards_distance", "backwards_share")
LAP_FIELDS = ("total_distance", "total_elapsed_time", "total_calories", "lap_trigger", "intensity")


def plain(v):
    if isinstance(v, datetime.datetime):
        # fitdecode gives an aware UTC time, fitparse a naive one in UTC: the same instant.
        if v.tzinfo is not None:
            v = v.astimezone(datetime.timezone.utc).replace(tzinfo=None)
        return v.isoformat() + "Z"
    if isinstance(v, float):
        return round(v, 3)
    return v


def summary(messages):
    """The compared figures from (message name, value getter) pairs, whichever reader gave them."""
    out = {"file_type": None, "sport": None, "session": None, "laps": [], "records": 0, "activity_sessions": None}
    for name, value in messages:
        get = lambda field: plain(value(field))
        if name == "file_id":
            out["file_type"] = get("type")
        elif name == "sport":
            out["sport"] = {"sport": get("sport"), "sub_sport": get("sub_sport")}
        elif name == "lap":
            out["laps"].append({k: get(k) for k in LAP_FIELDS})
        elif name == "record":
            out["records"] += 1
        elif name == "session":
            out["session"] = {k: get(k) for k in SESSION_FIELDS + DEVELOPER_FIELDS}
        elif name == "activity":
            out["activity_sessions"] = get("num_sessions")
    return out


def by_fitdecode(path):
    with fitdecode.FitReader(path, check_crc=fitdecode.CrcCheck.RAISE) as fit:
        return summary((frame.name, lambda field, f=frame: f.get_value(field, fallback=None))
                       for frame in fit if frame.frame_type == fitdecode.FIT_FRAME_DATA)


def by_fitparse(path):
    fit = fitparse.FitFile(path, check_crc=True)
    fit.parse()
    return summary((m.name, m.get_value) for m in fit.get_messages())


def main():
    path = sys.argv[1]
    try:
        a = by_fitdecode(path)
    except Exception as e:  # the reader's own error, CRC included, is the message
        print(f"fitdecode refused {path}: {type(e).__name__}: {e}", file=sys.stderr)
        return 2
    try:
        b = by_fitparse(path)
    except Exception as e:
        print(f"fitparse refused {path}: {type(e).__name__}: {e}", file=sys.stderr)
        return 2
    if a != b:
        print(f"fitdecode and fitparse disagree on {path}:\n{json.dumps(a, sort_keys=True)}\n{json.dumps(b, sort_keys=True)}",
              file=sys.stderr)
        return 3
    print(json.dumps(a, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
