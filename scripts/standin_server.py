#!/usr/bin/env python3
"""Run SecantusDB's MongoDB-wire server in the foreground until SIGTERM/SIGINT.

Same as `secantusd-py`, plus three settings its command line lacks in 0.7.0b3: the connection cap,
the idle-connection timeout (its default of 300 s closes the sockets of an idle pooled client), and
the lifetime of an abandoned transaction (mongod's transactionLifetimeLimitSeconds, 60 s by default;
the tests shorten it, since they kill servers in the middle of transactions)."""
import argparse, logging, signal, sys
from secantus import SecantusDBServer

ap = argparse.ArgumentParser()
ap.add_argument("--host", default="127.0.0.1")
ap.add_argument("--port", type=int, default=27018)
ap.add_argument("--storage-path", required=True)
ap.add_argument("--max-connections", type=int, default=1000)
ap.add_argument("--idle-timeout", type=float, default=0, help="seconds; 0 = never close idle connections")
ap.add_argument("--transaction-lifetime", type=float, default=60,
                help="seconds after which an abandoned transaction is aborted (mongod's transactionLifetimeLimitSeconds)")
ap.add_argument("--sync-on-commit", action="store_true",
                help="fsync every commit; its commitTransaction ignores j: true, which mongod honours")
ap.add_argument("--log-level", default="WARNING")
a = ap.parse_args()
logging.basicConfig(level=a.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
srv = SecantusDBServer(host=a.host, port=a.port, storage_path=a.storage_path,
                       replica_set_name="secantus", enable_test_commands=False,
                       max_connections=a.max_connections,
                       client_idle_timeout_s=(a.idle_timeout or None),
                       transaction_lifetime_seconds=a.transaction_lifetime,
                       sync_on_commit=a.sync_on_commit)

def _stop(*_):
    srv.stop()
    sys.exit(0)

signal.signal(signal.SIGTERM, _stop)
signal.signal(signal.SIGINT, _stop)
srv.start()
print(f"secantus ready on {srv.uri}", flush=True)
srv.wait()
