#!/usr/bin/env python3
"""Steady keyed write load through the switches, then a check that every acknowledged write is on every node.

Each writer thread PUTs /api/objects/<prefix>-<thread>-<n> with a body naming the key, at a fixed rate, until
the stop file appears or --max-seconds pass (bounded in count and time). A request that cannot reach a switch
(connection refused: that switch is restarting) goes to the next switch, as a load balancer in front of them
would: it never reached a switch, so sending it elsewhere is safe. A PUT whose connection a switch closed is
sent once more (it is idempotent); both are counted and reported. Anything else that does not end in 2xx is a
failed request. At the end every node's own address lists the keys (with their entity tags, the SHA-256 of the
body) and must hold every acknowledged key with exactly the body that was acknowledged. Prints one JSON summary line and writes it to --out.
"""
import argparse
import hashlib
import http.client
import json
import os
import sys
import threading
import time
import urllib.parse


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--switches", required=True, help="comma-separated base URLs of the switches")
    p.add_argument("--nodes", required=True, help="comma-separated base URLs of the nodes, for the final check")
    p.add_argument("--stop-file", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--prefix", default="load")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--rate", type=float, default=20.0, help="writes per second, all threads together")
    p.add_argument("--max-seconds", type=float, default=900)
    p.add_argument("--timeout", type=float, default=30)
    return p.parse_args()


class Writer(threading.Thread):
    def __init__(self, index, args, switches, deadline, stop_file):
        super().__init__(daemon=True)
        self.index, self.args, self.switches = index, args, switches
        self.deadline, self.stop_file = deadline, stop_file
        self.acked = {}          # key -> body
        self.ack_times = []      # monotonic seconds of each acknowledgement
        self.failed = []         # (key, reason)
        self.moved = 0           # requests sent to another switch because one refused connections
        self.resent = 0          # PUTs sent again after a switch closed the connection
        self.sent = 0
        self.conn = None
        self.current = index % len(switches)

    def connect(self):
        url = urllib.parse.urlparse(self.switches[self.current])
        self.conn = http.client.HTTPConnection(url.hostname, url.port, timeout=self.args.timeout)

    def put(self, key, body):
        tried = 0
        resent = 0
        while True:
            if self.conn is None:
                self.connect()
            try:
                self.conn.request("PUT", "/api/objects/" + key, body=body, headers={"Content-Type": "application/json"})
                response = self.conn.getresponse()
                response.read()
                return response.status, None
            except ConnectionRefusedError:
                self.conn.close()
                self.conn = None
                tried += 1
                if tried >= 3 * len(self.switches):
                    return None, "no switch accepts connections"
                self.current = (self.current + 1) % len(self.switches)
                self.moved += 1
                time.sleep(0.05)
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError) as e:
                # The switch closed the connection (it is restarting): a kept-alive connection goes stale like this.
                # A PUT is idempotent, so sending it once more (as the switch itself would) is safe; twice is a failure.
                self.conn.close()
                self.conn = None
                self.resent += 1
                resent += 1
                if resent > 1:
                    return None, repr(e)
            except Exception as e:  # timeout, protocol error: the outcome is unknown
                self.conn.close()
                self.conn = None
                return None, repr(e)

    def run(self):
        interval = self.args.threads / self.args.rate
        n = 0
        next_at = time.monotonic()
        while time.monotonic() < self.deadline and not os.path.exists(self.stop_file):
            key = "%s-%d-%d" % (self.args.prefix, self.index, n)
            body = json.dumps({"key": key, "n": n})
            self.sent += 1
            status, error = self.put(key, body)
            if status is not None and 200 <= status < 300:
                self.acked[key] = body
                self.ack_times.append(time.monotonic())
            else:
                self.failed.append((key, error or ("HTTP %s" % status)))
            n += 1
            next_at += interval
            time.sleep(max(0.0, next_at - time.monotonic()))


def listing(base, prefix, timeout):
    """id -> etag of every object under prefix on one node, read page by page from its own API."""
    url = urllib.parse.urlparse(base)
    found, after = {}, None
    while True:
        query = {"prefix": prefix, "limit": "1000"}
        if after:
            query["after"] = after
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=timeout)
        try:
            conn.request("GET", "/api/objects?" + urllib.parse.urlencode(query))
            response = conn.getresponse()
            page = json.loads(response.read().decode())
        finally:
            conn.close()
        if response.status != 200:
            raise OSError("HTTP %d listing %s" % (response.status, base))
        for item in page["items"]:
            found[item["id"]] = item["etag"].strip('"')
        after = page.get("next")
        if not after:
            return found


def etag(body):
    """The node's entity tag of a body: the first 128 bits of its SHA-256, hex."""
    return hashlib.sha256(body.encode()).hexdigest()[:32]


def check(nodes, acked, prefix, timeout):
    """Acknowledged keys missing or different on some node, after giving replication up to 30 s to catch up."""
    wanted = {key: etag(body) for key, body in acked.items()}
    missing = []
    deadline = time.monotonic() + 30
    for node in nodes:
        while True:
            try:
                found, error = listing(node, prefix + "-", timeout), None
            except (OSError, ValueError, KeyError) as e:
                found, error = {}, repr(e)
            wrong = [{"node": node, "key": k, "found": found.get(k), "error": error}
                     for k, tag in wanted.items() if found.get(k) != tag]
            if not wrong or time.monotonic() > deadline:
                missing.extend(wrong)
                break
            time.sleep(0.5)
    return missing


def main():
    args = parse_args()
    switches = args.switches.split(",")
    nodes = args.nodes.split(",")
    started = time.monotonic()
    writers = [Writer(i, args, switches, started + args.max_seconds, args.stop_file) for i in range(args.threads)]
    for w in writers:
        w.start()
    for w in writers:
        w.join()
    duration = time.monotonic() - started
    acked = {}
    for w in writers:
        acked.update(w.acked)
    times = sorted(t for w in writers for t in w.ack_times)
    gaps = [b - a for a, b in zip(times, times[1:])]
    missing = check(nodes, acked, args.prefix, args.timeout)
    summary = {
        "seconds": round(duration, 1),
        "sent": sum(w.sent for w in writers),
        "acknowledged": len(acked),
        "failed": sum(len(w.failed) for w in writers),
        "failures": [f for w in writers for f in w.failed][:20],
        "movedToAnotherSwitch": sum(w.moved for w in writers),
        "resentAfterClosedConnection": sum(w.resent for w in writers),
        "maxWriteGapMs": round(max(gaps) * 1000) if gaps else None,
        "lostOrDifferent": len(missing),
        "missing": missing[:20],
        "nodesChecked": nodes,
    }
    line = json.dumps(summary)
    print(line)
    with open(args.out, "w") as f:
        f.write(line + "\n")
    return 0 if summary["failed"] == 0 and not missing and len(acked) > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
