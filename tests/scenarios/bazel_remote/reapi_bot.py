#!/usr/bin/env python3
"""A Remote Workers API bot for BuildGrid: takes leases (REAPI actions),
runs each in a fresh directory of its own with only the action's inputs,
and reports the outputs. BuildGrid's own worker (buildbox-worker, C++) is
not packaged for Debian or PyPI; this one speaks the same protocol with
the protocol buffers BuildGrid ships.

usage: reapi_bot.py SERVER INSTANCE BOT_ID WORK_DIR
"""
import hashlib
import os
import shutil
import subprocess
import sys
import time

import grpc
from buildgrid._protos.build.bazel.remote.execution.v2 import remote_execution_pb2 as re
from buildgrid._protos.build.bazel.remote.execution.v2 import remote_execution_pb2_grpc as re_grpc
from buildgrid._protos.google.bytestream import bytestream_pb2, bytestream_pb2_grpc
from buildgrid._protos.google.devtools.remoteworkers.v1test2 import bots_pb2, bots_pb2_grpc

# What a bot asks again after: no work yet, or a busy or restarting server.
RETRY = (grpc.StatusCode.DEADLINE_EXCEEDED, grpc.StatusCode.RESOURCE_EXHAUSTED, grpc.StatusCode.UNAVAILABLE)
# Blobs up to this size go in batch requests; larger ones through ByteStream.
BATCH_BYTES = 1 << 20
CHUNK_BYTES = 1 << 20


class Cas:
    """The server's content-addressable storage, with a local copy of every
    blob read (the toolchain's files are read once, not per action)."""

    def __init__(self, channel, instance, cache_dir):
        self.stub = re_grpc.ContentAddressableStorageStub(channel)
        self.bytestream = bytestream_pb2_grpc.ByteStreamStub(channel)
        self.instance = instance
        self.cache_dir = cache_dir
        os.makedirs(cache_dir, exist_ok=True)

    def cached(self, digest):
        return os.path.join(self.cache_dir, digest.hash)

    def executable(self, digest):
        """The local copy of a blob as an executable file (a second copy:
        inputs are hard links to these, which share their mode)."""
        path = self.cached(digest) + ".x"
        if not os.path.exists(path):
            shutil.copyfile(self.cached(digest), path + ".part")
            os.chmod(path + ".part", 0o755)
            os.replace(path + ".part", path)
        return path

    def fetch(self, digests):
        """Brings the blobs of `digests` into the local copy."""
        missing = {d.hash: d for d in digests if not os.path.exists(self.cached(d))}
        small = [d for d in missing.values() if d.size_bytes <= BATCH_BYTES]
        for start in range(0, len(small), 100):
            batch = small[start:start + 100]
            reply = self.stub.BatchReadBlobs(re.BatchReadBlobsRequest(instance_name=self.instance, digests=batch))
            for r in reply.responses:
                if r.status.code != 0:
                    raise RuntimeError(f"reading blob {r.digest.hash}: {r.status.message}")
                self.keep(r.digest, r.data)
        for d in missing.values():
            if d.size_bytes > BATCH_BYTES:
                name = f"{self.instance}/blobs/{d.hash}/{d.size_bytes}"
                data = b"".join(r.data for r in self.bytestream.Read(bytestream_pb2.ReadRequest(resource_name=name)))
                self.keep(d, data)

    def keep(self, digest, data):
        if hashlib.sha256(data).hexdigest() != digest.hash:
            raise RuntimeError(f"blob {digest.hash} arrived damaged")
        path = self.cached(digest)
        with open(path + ".part", "wb") as f:
            f.write(data)
        os.chmod(path + ".part", 0o444)
        os.replace(path + ".part", path)

    def read(self, digest):
        self.fetch([digest])
        with open(self.cached(digest), "rb") as f:
            return f.read()

    def message(self, digest, kind):
        m = kind()
        m.ParseFromString(self.read(digest))
        return m

    def upload(self, blobs):
        """Stores `blobs` (a `Blobs`), the server keeping what it has."""
        digests = [d for d, _ in blobs.by_hash.values()]
        reply = self.stub.FindMissingBlobs(re.FindMissingBlobsRequest(instance_name=self.instance, blob_digests=digests))
        missing = [blobs.by_hash[d.hash] for d in reply.missing_blob_digests]
        small = [(d, data) for d, data in missing if d.size_bytes <= BATCH_BYTES]
        for start in range(0, len(small), 100):
            requests = [re.BatchUpdateBlobsRequest.Request(digest=d, data=data) for d, data in small[start:start + 100]]
            reply = self.stub.BatchUpdateBlobs(re.BatchUpdateBlobsRequest(instance_name=self.instance, requests=requests))
            for r in reply.responses:
                if r.status.code != 0:
                    raise RuntimeError(f"writing blob {r.digest.hash}: {r.status.message}")
        for d, data in missing:
            if d.size_bytes > BATCH_BYTES:
                name = f"{self.instance}/uploads/{os.getpid()}-{time.time_ns()}/blobs/{d.hash}/{d.size_bytes}"

                def chunks():
                    for at in range(0, len(data), CHUNK_BYTES):
                        last = at + CHUNK_BYTES >= len(data)
                        yield bytestream_pb2.WriteRequest(
                            resource_name=name, write_offset=at, finish_write=last, data=data[at:at + CHUNK_BYTES])

                self.bytestream.Write(chunks())


class Blobs:
    """The blobs an action's result names, each hashed once, by hash."""

    def __init__(self):
        self.by_hash = {}

    def add(self, data):
        """Keeps `data`; its digest."""
        d = digest_of(data)
        self.by_hash[d.hash] = (d, data)
        return d

    def add_file(self, path):
        with open(path, "rb") as f:
            return self.add(f.read())


def digest_of(data):
    return re.Digest(hash=hashlib.sha256(data).hexdigest(), size_bytes=len(data))


def materialize(cas, directory, path):
    """Writes the input tree `directory` at `path`."""
    os.makedirs(path, exist_ok=True)
    cas.fetch([f.digest for f in directory.files])
    for f in directory.files:
        os.link(cas.executable(f.digest) if f.is_executable else cas.cached(f.digest), os.path.join(path, f.name))
    for link in directory.symlinks:
        os.symlink(link.target, os.path.join(path, link.name))
    for d in directory.directories:
        materialize(cas, cas.message(d.digest, re.Directory), os.path.join(path, d.name))


def tree_of(path, blobs):
    """The Directory message of `path` (its blobs added to `blobs`), and
    the Directory messages below it."""
    directory, children = re.Directory(), []
    for name in sorted(os.listdir(path)):
        full = os.path.join(path, name)
        if os.path.isdir(full) and not os.path.islink(full):
            child, below = tree_of(full, blobs)
            directory.directories.add(name=name, digest=blobs.add(child.SerializeToString()))
            children += [child] + below
        else:
            directory.files.add(name=name, digest=blobs.add_file(full), is_executable=os.access(full, os.X_OK))
    return directory, children


def run(cas, action, exec_root, bot_id):
    """Runs `action` in `exec_root`; its ActionResult."""
    command = cas.message(action.command_digest, re.Command)
    materialize(cas, cas.message(action.input_root_digest, re.Directory), exec_root)
    cwd = os.path.join(exec_root, command.working_directory)
    outputs = list(command.output_paths) or list(command.output_files) + list(command.output_directories)
    for out in outputs:
        os.makedirs(os.path.dirname(os.path.join(cwd, out)), exist_ok=True)
    env = {v.name: v.value for v in command.environment_variables}
    started = time.time()
    done = subprocess.run(list(command.arguments), cwd=cwd, env=env, capture_output=True)
    result = re.ActionResult(exit_code=done.returncode)
    blobs = Blobs()
    result.stdout_digest.CopyFrom(blobs.add(done.stdout))
    result.stderr_digest.CopyFrom(blobs.add(done.stderr))
    for out in outputs:
        full = os.path.join(cwd, out)
        if os.path.isdir(full):
            root, children = tree_of(full, blobs)
            tree = blobs.add(re.Tree(root=root, children=children).SerializeToString())
            result.output_directories.add(path=out, tree_digest=tree)
        elif os.path.exists(full):
            result.output_files.add(path=out, digest=blobs.add_file(full), is_executable=os.access(full, os.X_OK))
    cas.upload(blobs)
    result.execution_metadata.worker = bot_id
    result.execution_metadata.execution_start_timestamp.FromSeconds(int(started))
    result.execution_metadata.execution_completed_timestamp.FromSeconds(int(time.time()))
    return result


def main():
    server, instance, bot_id, work = sys.argv[1:5]
    channel = grpc.insecure_channel(server)
    bots = bots_pb2_grpc.BotsStub(channel)
    cas = Cas(channel, instance, os.path.join(work, "cas"))
    session = bots.CreateBotSession(bots_pb2.CreateBotSessionRequest(
        parent=instance, bot_session=bots_pb2.BotSession(bot_id=bot_id, status=bots_pb2.BotStatus.OK)))
    done = set()
    runs = 0
    while True:
        for lease in session.leases:
            if lease.id in done or lease.state not in (bots_pb2.LeaseState.PENDING, bots_pb2.LeaseState.ACTIVE):
                continue
            action = re.Action()
            if not lease.payload.Unpack(action):
                digest = re.Digest()
                lease.payload.Unpack(digest)
                action = cas.message(digest, re.Action)
            runs += 1
            exec_root = os.path.join(work, "run", str(runs))
            try:
                lease.result.Pack(run(cas, action, exec_root, bot_id))
                lease.status.code = 0
            except Exception as e:  # noqa: BLE001 — any failure is the lease's, reported to Bazel
                print(f"{bot_id}: lease {lease.id} failed: {e}", file=sys.stderr, flush=True)
                lease.status.code = 13
                lease.status.message = str(e)
            shutil.rmtree(exec_root, ignore_errors=True)
            lease.state = bots_pb2.LeaseState.COMPLETED
            done.add(lease.id)
        try:
            session = bots.UpdateBotSession(
                bots_pb2.UpdateBotSessionRequest(name=session.name, bot_session=session), timeout=30)
        except grpc.RpcError as e:
            # A long poll that found no work, or a busy server: ask again.
            if e.code() not in RETRY:
                raise
            if e.code() != grpc.StatusCode.DEADLINE_EXCEEDED:
                time.sleep(0.2)


if __name__ == "__main__":
    main()
