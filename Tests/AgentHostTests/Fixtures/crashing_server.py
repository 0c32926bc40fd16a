"""An MCP server that crashes mid-run: it relays to the real server given as arguments, and on
the first tools/call kills that server and then itself with SIGKILL, leaving the call unanswered."""
import os
import signal
import subprocess
import sys
import threading

child = subprocess.Popen(sys.argv[1:], stdin=subprocess.PIPE, stdout=subprocess.PIPE)


def relay():
    for line in child.stdout:
        sys.stdout.buffer.write(line)
        sys.stdout.buffer.flush()


threading.Thread(target=relay, daemon=True).start()
for line in sys.stdin.buffer:
    if b'"tools/call"' in line:
        child.kill()
        os.kill(os.getpid(), signal.SIGKILL)
    child.stdin.write(line)
    child.stdin.flush()
