#!/usr/bin/env python3
"""Shared helpers: cached diagnose output joined to truth events."""
import json, os, subprocess, collections
def diag(bin_, g, s):
    out = f"/work/dg/{os.path.basename(bin_)}-{g}-{s}.jsonl"
    if not os.path.exists(out):
        subprocess.run([bin_, "diagnose", "-i", f"/work/data/{g}/seed{s}/records.jsonl", "--lang", "en", "-o", out, "--no-progress"], check=True, stderr=subprocess.DEVNULL)
    return [json.loads(l) for l in open(out)]
def ts(s):
    import datetime
    return datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))
def seeds(gens):
    """-> (gen, seed) for every seed generated under /work/data of `gens` (comma-separated)"""
    for g in gens.split(","):
        for s in range(1, 11):
            if os.path.exists(f"/work/data/{g}/seed{s}"):
                yield g, s
def incidents(bin_, g, s):
    """-> each incident's latest line, merged ones left out, in order of opening"""
    last = {}
    for r in diag(bin_, g, s):
        if r["kind"] == "incident":
            last[r["incident_id"]] = r
    return sorted((v for v in last.values() if not v.get("merged_into")), key=lambda i: i["opened_at"])
def joined(bin_, g, s):
    """-> (truths by fault id, [(truth_event, diagnosis or None)], incidents)"""
    rows = diag(bin_, g, s)
    by = collections.defaultdict(list)
    incs = [r for r in rows if r["kind"] == "incident"]
    for r in rows:
        if r["kind"] == "diagnosis":
            by[(r["terminal_id"], r["ts"], r.get("code"))].append(r)
    faults, evs = {}, []
    for l in open(f"/work/data/{g}/seed{s}/truth.jsonl"):
        t = json.loads(l)
        if t["kind"] == "truth": faults[t["fault_id"]] = t
        elif t["kind"] == "truth_event":
            q = by.get((t["terminal_id"], t["ts"], t.get("code")))
            evs.append((t, q.pop(0) if q else None))
    return faults, evs, incs
def error_details(g, s):
    """-> each error record's detail ("" when it has none), by (terminal, ts, code)"""
    detail = {}
    for line in open(f"/work/data/{g}/seed{s}/records.jsonl"):
        if '"error"' not in line:
            continue
        r = json.loads(line)
        if r["kind"] == "error":
            detail[(r["terminal_id"], r["ts"], r.get("code"))] = r.get("detail") or ""
    return detail
