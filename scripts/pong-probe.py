"""A backend as the real one is built (Python, pyzmq, msgpack) for `npm run bench -- pong` (BENCH_PONG_BACKEND=python).

It measures the agent, not itself: Pongs are timed as they arrive, and of a large AgentJobDone only the head is read.
Beside the agent it pings, at the same moments, a reference: a process of its own that only answers Pings (this
script, `--answer <address>`). Its round trips are what this machine gives a Pong under the same load, whatever the
agent does.
Lines of JSON on stdin, one answer per line on stdout:
  (at start)              -> {"address": "tcp://127.0.0.1:<port>"}; then {"connected": true} at the agent's AgentHello
  {"jobs": [<BackendNewJob>...]} -> sends them, answers {"results": [[<result>, <text>]...]} once all have ended
  {"take": true}          -> {"round_trips": [<ms>...], "reference": [<ms>...]} since the last take
argv[1]: Ping period in ms (0: one a second, as the real backend).
"""
import json
import subprocess
import sys
import time

import msgpack
import zmq

PING = msgpack.packb({'@type': 'Ping'})
PONG = msgpack.packb({'@type': 'Pong'})
REFERENCE_HELLO = msgpack.packb({'@type': 'ReferenceHello'})


class Probe:
    def __init__(self, ping_ms):
        self.period = (ping_ms or 1000) / 1000
        self.socket = zmq.Context().socket(zmq.ROUTER)
        self.port = self.socket.bind_to_random_port('tcp://127.0.0.1')
        self.agent = None
        self.sent = []
        self.round_trips = []
        self.reference = None
        self.reference_sent = []
        self.reference_round_trips = []
        self.waiting = None
        self.results = {}
        # large frames read since the last Ping: freed just before the next one is sent, never between a Pong's
        # arrival and its timestamp (freeing 16 MiB costs this machine ~10 ms)
        self.spent = []

    def say(self, value):
        sys.stdout.write(json.dumps(value) + '\n')
        sys.stdout.flush()

    def run(self):
        address = f'tcp://127.0.0.1:{self.port}'
        answerer = subprocess.Popen([sys.executable, __file__, '--answer', address], stdin=subprocess.PIPE)
        try:
            self.say({'address': address})
            self.serve()
        finally:
            answerer.stdin.close()
            answerer.wait()

    def serve(self):
        poller = zmq.Poller()
        poller.register(self.socket, zmq.POLLIN)
        poller.register(sys.stdin, zmq.POLLIN)
        next_ping = time.perf_counter()
        while True:
            if self.agent is None:
                next_ping = time.perf_counter()  # the rhythm starts at the hello, without a burst to catch up
            elif time.perf_counter() >= next_ping:
                self.spent.clear()
                self.socket.send_multipart([self.agent, PING])
                self.sent.append(time.perf_counter())
                if self.reference:
                    self.socket.send_multipart([self.reference, PING])
                    self.reference_sent.append(time.perf_counter())
                next_ping += self.period
            timeout = max(0, (next_ping - time.perf_counter()) * 1000) if self.agent else 100
            for source, _ in poller.poll(timeout):
                if source is self.socket:
                    self.received(*self.socket.recv_multipart(copy=False))
                elif not self.command(sys.stdin.readline()):
                    return

    def received(self, routing_id, frame):
        arrived = time.perf_counter()
        if len(frame) < 4096:
            message = msgpack.unpackb(frame.bytes, raw=False)
        else:
            message = head(frame.buffer)
            self.spent.append(frame)
        if message['@type'] == 'Pong' and routing_id.bytes == self.reference:
            self.reference_round_trips.append((arrived - self.reference_sent.pop(0)) * 1000)
        elif message['@type'] == 'ReferenceHello':
            self.reference = routing_id.bytes
        elif message['@type'] == 'Pong' and self.sent:
            self.round_trips.append((arrived - self.sent.pop(0)) * 1000)
        elif message['@type'] == 'AgentHello':
            self.agent = routing_id.bytes
            self.say({'connected': True})
        elif message['@type'] == 'AgentJobDone' and self.waiting and message['job_id'] in self.waiting:
            self.results[message['job_id']] = message['result']
            if set(self.results) == self.waiting:
                self.say({'results': [self.results[job_id] for job_id in sorted(self.waiting)]})
                self.waiting = None

    def command(self, line):
        if not line:
            return False
        request = json.loads(line)
        if 'jobs' in request:
            self.waiting = {job['job_id'] for job in request['jobs']}
            self.results = {}
            for job in request['jobs']:
                self.socket.send_multipart([self.agent, msgpack.packb({'@type': 'BackendNewJob', **job}, use_bin_type=True)])
        elif 'take' in request:
            self.say({'round_trips': self.round_trips, 'reference': self.reference_round_trips})
            self.round_trips = []
            self.reference_round_trips = []
        return True


class _Reader:
    """Hands msgpack's Unpacker the start of a frame only, never a copy of the whole."""

    def __init__(self, view):
        self.view, self.at = view, 0

    def read(self, size):
        chunk = self.view[self.at:self.at + size].tobytes()
        self.at += len(chunk)
        return chunk


def head(view):
    """A large message's first fields (the agent's AgentJobDone starts with job_id and result), not its whole."""
    unpacker = msgpack.Unpacker(_Reader(view), raw=False, read_size=4096)
    fields = {}
    for _ in range(min(2, unpacker.read_map_header())):
        key = unpacker.unpack()
        fields[key] = unpacker.unpack()
    if 'result' in fields:
        fields['@type'] = 'AgentJobDone'
    return fields


def answer(address):
    """The reference: a DEALER that only answers Pings, until its stdin (the probe) closes."""
    socket = zmq.Context().socket(zmq.DEALER)
    socket.connect(address)
    socket.send(REFERENCE_HELLO)
    poller = zmq.Poller()
    poller.register(socket, zmq.POLLIN)
    poller.register(sys.stdin, zmq.POLLIN)
    while True:
        for source, _ in poller.poll():
            if source is not socket:
                return
            if msgpack.unpackb(socket.recv(), raw=False).get('@type') == 'Ping':
                socket.send(PONG)


if __name__ == '__main__':
    if sys.argv[1] == '--answer':
        answer(sys.argv[2])
    else:
        Probe(int(sys.argv[1])).run()
