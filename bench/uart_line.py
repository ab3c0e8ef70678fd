#!/usr/bin/env python3
"""An independent pseudo-terminal line simulator, to check `kskline linesim`.

Written apart from transport/line_simulator.cpp and as simple as it can be:
two pseudo-terminals offered at DIR/a and DIR/b, each direction paced at
baud/10 bytes a second (8N1), each byte hit with probability 1-(1-BER)^8 by
one flipped data bit, everything a sender writes queued without limit.
Runs until SIGINT or SIGTERM.

    bench/uart_line.py --baud 115200 --ber 1e-4 --seed 1 --link-dir DIR
"""
import argparse
import collections
import os
import random
import select
import signal
import sys
import time
import tty


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--baud', type=int, default=115200)
    ap.add_argument('--ber', type=float, default=0.0)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--link-dir', required=True)
    a = ap.parse_args()
    rate = a.baud / 10.0
    hit = 1 - (1 - a.ber) ** 8
    rng = random.Random(a.seed)
    os.makedirs(a.link_dir, exist_ok=True)
    masters, slaves = [], []
    for name in 'ab':
        m, s = os.openpty()
        tty.setraw(s)
        os.set_blocking(m, False)
        link = os.path.join(a.link_dir, name)
        if os.path.lexists(link):
            os.unlink(link)
        os.symlink(os.ttyname(s), link)
        masters.append(m)
        slaves.append(s)
    flight = [collections.deque(), collections.deque()]  # (arrival time, byte)
    out = [bytearray(), bytearray()]
    free = [0.0, 0.0]
    hits = [0, 0]
    stop = []
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    while not stop:
        writable = [masters[1 - i] for i in range(2) if out[i]]
        try:
            r, _, _ = select.select(masters, writable, [], 0.001)
        except InterruptedError:
            continue
        now = time.monotonic()
        for i in range(2):
            if masters[i] in r:
                try:
                    data = os.read(masters[i], 65536)
                except OSError:
                    data = b''
                for b in data:
                    free[i] = max(free[i], now) + 1 / rate
                    if hit > 0 and rng.random() < hit:
                        b ^= 1 << rng.randrange(8)
                        hits[i] += 1
                    flight[i].append((free[i], b))
            while flight[i] and flight[i][0][0] <= now:
                out[i].append(flight[i].popleft()[1])
            if out[i]:
                try:
                    del out[i][:os.write(masters[1 - i], out[i])]
                except OSError:
                    pass
    for name in 'ab':
        os.unlink(os.path.join(a.link_dir, name))
    sys.stderr.write(f'uart_line: bytes hit a->b {hits[0]}, b->a {hits[1]}\n')


if __name__ == '__main__':
    main()
