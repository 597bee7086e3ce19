"""Real sockets in the states the bundled lessons teach, for tests/live.rs: run in a
fresh network namespace (loopback only), it leaves them open and prints `ready`, then waits
for its standard input to close.

- port 8080: a server answers and closes; its client never closes (the client's leak: the
  client's sockets in CLOSE-WAIT, the server's in FIN-WAIT-2). Ten of the answers are left
  unread in the client (CLOSE-WAIT with Recv-Q > 0).
- port 9090: clients send a request and close; the server accepts and never closes (the
  server's leak: CLOSE-WAIT on port 9090, the clients' sockets orphaned in FIN-WAIT-2).
- port 7070: clients close first after a reply, both sides properly: TIME-WAIT on the client.

With `--incidents` (for a capture), after `ready` it also plays, then prints `done`:
- port 6060: a client closes with an answer unread: its close() sends RST.
- port 5050: the server closes, its socket is orphaned in FIN-WAIT-2 and dropped after
  tcp_fin_timeout (the test sets 1 s in the namespace); the client closes 2.5 s later and its
  late FIN draws a RST.
"""
import socket
import sys

def listener(port):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(128)
    return s

keep = []
a = listener(8080)
b = listener(9090)
c = listener(7070)
keep += [a, b, c]

# The client's leak: 20 connections, the server answers and closes each.
for i in range(20):
    cl = socket.create_connection(("127.0.0.1", 8080))
    sv, _ = a.accept()
    sv.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
    sv.close()
    if i >= 10:
        cl.recv(4096)  # read: CLOSE-WAIT with nothing queued
    keep.append(cl)  # never closed

# The server's leak: 15 clients close; the server never does.
for i in range(15):
    cl = socket.create_connection(("127.0.0.1", 9090))
    sv, _ = b.accept()
    cl.sendall(b"GET / HTTP/1.1\r\n\r\n")
    sv.recv(4096)
    cl.close()
    keep.append(sv)

# Proper closes, the client first: TIME-WAIT.
for i in range(5):
    cl = socket.create_connection(("127.0.0.1", 7070))
    sv, _ = c.accept()
    cl.close()
    sv.recv(1)
    sv.close()

print("ready", flush=True)

if "--incidents" in sys.argv:
    import time

    d = listener(6060)
    cl = socket.create_connection(("127.0.0.1", 6060))
    sv, _ = d.accept()
    sv.sendall(b"an answer the client never reads")
    time.sleep(0.2)
    cl.close()  # unread data: RST
    time.sleep(0.2)
    sv.close()

    e = listener(5050)
    cl = socket.create_connection(("127.0.0.1", 5050))
    sv, _ = e.accept()
    sv.close()  # FIN; the client does not close yet
    time.sleep(2.5)
    cl.close()  # late FIN: the server's socket is gone, RST
    time.sleep(0.3)
    keep += [d, e]
    print("done", flush=True)

sys.stdin.read()
