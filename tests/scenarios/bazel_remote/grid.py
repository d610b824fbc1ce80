#!/usr/bin/env python3
"""Starts and stops a BuildGrid on 127.0.0.1 for this scenario: PostgreSQL
(BuildGrid's scheduler keeps its jobs there) in a fresh cluster, the
BuildGrid server (execution, CAS, action cache and bots services) and two
bots (`reapi_bot.py`), each in its own directory under `grid/`.

    grid.py start   prints the server's address once every part answers
    grid.py stop    stops every process it started, by the ids it kept

A watchdog started with them stops them too once the scenario's directory
is being removed or the test process is gone (when a step fails, `stop`
never runs). BuildGrid comes from the
virtual environment `.ci/run` installs (`$TESS_BUILDGRID_VENV`, by default
`~/.cache/tessera-tests/buildgrid`).
"""
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
GRID = os.path.join(HERE, "grid")
VENV = os.environ.get("TESS_BUILDGRID_VENV", os.path.expanduser("~/.cache/tessera-tests/buildgrid"))
# Debian's PostgreSQL, the newest installed.
PG_BIN = (sorted(glob.glob("/usr/lib/postgresql/*/bin")) or ["/usr/lib/postgresql/bin"])[-1]
CONFIG = """\
server:
  - !channel
    address: "127.0.0.1:{port}"
    insecure-mode: true
authorization:
  method: none
# Bazel holds an Execute stream open per running action and each bot a
# long poll: more than the default pool (5 per core) serves at once.
thread-pool-size: 64
limiter:
  !limiter
  concurrent-request-limit: 60
connections:
  - !sql-connection &sql
    connection-string: postgresql+psycopg2://bgd@127.0.0.1:{pg_port}/bgd
storages:
  - !disk-storage &cas
    path: {grid}/cas
caches:
  - !lru-action-cache &ac
    storage: *cas
    max-cached-refs: 100000
    allow-updates: true
    cache-failed-actions: false
schedulers:
  - !sql-scheduler &scheduler
    sql: *sql
    storage: *cas
    action-cache: *ac
    # Jobs are few and bots near: look for work and assign it often.
    poll-interval: 0.05
    bot-poll-interval: 0.05
    assigners:
      - !priority-age-assigner
        count: 1
        interval: 0.02
instances:
  - name: main
    services:
      - !action-cache
        cache: *ac
      - !execution
        scheduler: *scheduler
      - !cas
        storage: *cas
      - !bytestream
        storage: *cas
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def as_postgres(cmd):
    """`cmd` as a user PostgreSQL accepts: it refuses to run as root."""
    if os.geteuid() == 0:
        return ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"] + cmd
    return cmd


def quiet(cmd, log):
    """Runs `cmd` to completion, its output to `log`; fails loudly."""
    with open(log, "ab") as out:
        if subprocess.run(cmd, stdout=out, stderr=out, stdin=subprocess.DEVNULL).returncode != 0:
            sys.exit(f"{' '.join(cmd)} failed; see {log}")


def spawn(cmd, log):
    """Starts `cmd` in its own session (its id is its group's), detached
    from the step's output; records the id."""
    with open(log, "ab") as out:
        p = subprocess.Popen(cmd, stdout=out, stderr=out, stdin=subprocess.DEVNULL, start_new_session=True)
    with open(os.path.join(GRID, "pids"), "a") as f:
        f.write(f"-{p.pid}\n")
    return p


def wait_for(port, what, log):
    for _ in range(300):
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    sys.exit(f"{what} did not start; see {log}")


def start():
    shutil.rmtree(GRID, ignore_errors=True)
    os.makedirs(GRID)
    pg = os.path.join(GRID, "postgres")
    os.makedirs(pg)
    if os.geteuid() == 0:
        shutil.chown(pg, "nobody", "nogroup")
    pg_port, port = free_port(), free_port()
    pg_log = os.path.join(GRID, "postgres.log")
    quiet(as_postgres([f"{PG_BIN}/initdb", "-D", f"{pg}/data", "-U", "bgd", "--auth=trust"]), pg_log)
    quiet(as_postgres([f"{PG_BIN}/pg_ctl", "-D", f"{pg}/data", "-l", f"{pg}/server.log", "-w", "-o",
                       f"-k {pg} -p {pg_port} -h 127.0.0.1", "start"]), pg_log)
    with open(f"{pg}/data/postmaster.pid") as f, open(os.path.join(GRID, "pids"), "a") as pids:
        pids.write(f"{f.readline().strip()}\n")
    quiet(as_postgres([f"{PG_BIN}/createdb", "-h", "127.0.0.1", "-p", str(pg_port), "-U", "bgd", "bgd"]), pg_log)
    bgd = os.path.join(VENV, "bin", "bgd")
    server_log = os.path.join(GRID, "server.log")
    quiet([bgd, "migrate", "apply", f"postgresql+psycopg2://bgd@127.0.0.1:{pg_port}/bgd"], server_log)
    config = os.path.join(GRID, "buildgrid.yml")
    with open(config, "w") as f:
        f.write(CONFIG.format(port=port, pg_port=pg_port, grid=GRID))
    spawn([bgd, "server", "start", config], server_log)
    wait_for(port, "the BuildGrid server", server_log)
    for bot in ("bot1", "bot2"):
        work = os.path.join(GRID, bot)
        os.makedirs(work)
        spawn([os.path.join(VENV, "bin", "python3"), os.path.join(HERE, "reapi_bot.py"), f"127.0.0.1:{port}", "main",
               bot, work], os.path.join(GRID, f"{bot}.log"))
    # The watchdog stops them all once the scenario's directory is being
    # removed (its files go first: the processes write into it) or the
    # test process that runs the steps (the parent of this step's shell)
    # has ended.
    with open(os.path.join(GRID, "pids")) as f:
        ids = " ".join(f.read().split())
    with open(f"/proc/{os.getppid()}/stat") as f:
        runner = f.read().rsplit(")", 1)[1].split()[1]
    watchdog = (f"while [ -f '{config}' ] && kill -0 {runner} 2>/dev/null; do sleep 2; done; "
                f"kill -TERM {ids}; sleep 10; kill -KILL {ids}")
    dog = subprocess.Popen(["sh", "-c", watchdog], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           stdin=subprocess.DEVNULL, start_new_session=True)
    with open(os.path.join(GRID, "watchdog"), "w") as f:
        f.write(f"{dog.pid}\n")
    with open(os.path.join(HERE, "grid.address"), "w") as f:
        f.write(f"127.0.0.1:{port}\n")
    print("BuildGrid is up")


def stop():
    """Stops the processes `start` started — the server's and the bots'
    process groups and PostgreSQL's postmaster — politely, then for good
    after ten seconds (BuildGrid's server may ignore SIGTERM)."""
    with open(os.path.join(GRID, "watchdog")) as f:
        os.killpg(int(f.read()), signal.SIGKILL)
    pids = os.path.join(GRID, "pids")
    with open(pids) as f:
        ids = [int(pid) for pid in f.read().split()]
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in ids:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        for _ in range(100):
            if not any(alive(pid) for pid in ids):
                break
            time.sleep(0.1)
    os.remove(pids)
    print("BuildGrid is down")


def alive(pid):
    """Whether process (or, negative, process group) `pid` still runs."""
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False


if __name__ == "__main__":
    {"start": start, "stop": stop}[sys.argv[1]]()
