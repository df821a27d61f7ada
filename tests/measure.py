"""Run a command and write its own peak memory (KB), wall time and exit code to a file.

``python tests/measure.py REPORT COMMAND...``. Peak RSS measured from the test process
itself would include the test process: a forked child's high-water mark starts at its
parent's size. This small process forks instead, so the figure is the command's own.
"""

import json
import os
import sys
import time

report, command = sys.argv[1], sys.argv[2:]
started = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.execvp(command[0], command)
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
seconds = time.perf_counter() - started
code = os.waitstatus_to_exitcode(status)
with open(report, "w", encoding="utf-8") as out:
    json.dump({"code": code, "max_rss_kb": usage.ru_maxrss, "seconds": seconds}, out)
sys.exit(code if code >= 0 else 128 - code)
