#!/usr/bin/env python3
# WebSocket flood (issue 13; not CI, loopback only): docs/benchmarks.md "A WebSocket flood against the limits".
#   bench/Soak/wsflood.py HOST PORT N HOLD_SECONDS
# Opens N protoo WebSocket upgrades to HOST:PORT from one address and keeps the accepted ones open; prints the
# status counts, then holds for HOLD seconds. Bounded: N connections, one pass.
import asyncio, base64, os, sys, collections, time
host, port, n, hold = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
conc = 200
counts = collections.Counter(); keep = []
async def one(i, sem):
    async with sem:
        try:
            r, w = await asyncio.wait_for(asyncio.open_connection(host, port), 10)
        except Exception as e:
            counts['connect-failed:' + type(e).__name__] += 1; return
        key = base64.b64encode(os.urandom(16)).decode()
        w.write((f"GET /?roomId=flood{i % 50}&peerId=p{i} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
                 f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: protoo\r\n\r\n").encode())
        try:
            line = await asyncio.wait_for(r.readline(), 10)
        except Exception as e:
            counts['no-answer:' + type(e).__name__] += 1; w.close(); return
        status = line.decode(errors='replace').split(' ')[1] if line else 'closed'
        counts[status] += 1
        if status == '101': keep.append(w)
        else: w.close()
async def main():
    sem = asyncio.Semaphore(conc)
    t = time.time()
    await asyncio.gather(*(one(i, sem) for i in range(n)))
    print(f"{n} upgrades in {time.time() - t:.1f} s: {dict(counts)}", flush=True)
    await asyncio.sleep(hold)
    for w in keep: w.close()
asyncio.run(main())
