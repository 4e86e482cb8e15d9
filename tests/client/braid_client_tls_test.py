#!/usr/bin/env python3
"""braid-client tcp --tls against TLS echo servers that Python's ssl module runs
on 127.0.0.1 port 0, with a CA and certificates made by the test (openssl).

    braid_client_tls_test.py BRAID_CLIENT
"""
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

client = sys.argv[1]
work = Path(tempfile.mkdtemp(prefix="braid-client-tls."))
failures = 0


def check(name, ok, detail=""):
    global failures
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else f": {detail}"))
    if not ok:
        failures += 1


def openssl(*args):
    subprocess.run(["openssl", *args], check=True, capture_output=True, timeout=60)


def make_certificates():
    """A CA, a leaf for localhost/127.0.0.1 it signs (server, then client), and
    a self-signed leaf for the same names that no one trusts."""
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
    openssl("req", "-x509", *ec, "-keyout", work / "ca.key", "-out", work / "ca.pem", "-days", "1",
            "-subj", "/CN=braid test CA", "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    ext = work / "leaf.ext"
    ext.write_text("basicConstraints=CA:FALSE\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n")
    for name, serial in (("server", "2"), ("client", "3")):
        openssl("req", "-new", *ec, "-keyout", work / f"{name}.key", "-out", work / f"{name}.csr",
                "-subj", "/CN=localhost")
        openssl("x509", "-req", "-in", work / f"{name}.csr", "-CA", work / "ca.pem", "-CAkey", work / "ca.key",
                "-set_serial", serial, "-days", "1", "-extfile", ext, "-out", work / f"{name}.pem")
    openssl("req", "-x509", *ec, "-keyout", work / "untrusted.key", "-out", work / "untrusted.pem", "-days", "1",
            "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1")


class EchoServer:
    """A TLS line echo on 127.0.0.1, port 0; each connection in its own thread."""

    def __init__(self, cert, key, client_ca=None):
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(cert, key)
        if client_ca:
            self.context.verify_mode = ssl.CERT_REQUIRED
            self.context.load_verify_locations(client_ca)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            try:
                raw, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self.serve, args=(raw,), daemon=True).start()

    def serve(self, raw):
        raw.settimeout(30)
        try:
            with self.context.wrap_socket(raw, server_side=True) as conn:
                while True:
                    data = conn.recv(4096)
                    if not data:
                        break
                    conn.sendall(data)
        except (OSError, ssl.SSLError):
            pass  # a client that refused us, or left
        finally:
            raw.close()


def run(*args, stdin="hello\n"):
    return subprocess.run([client, "tcp", *map(str, args)], input=stdin, capture_output=True, text=True,
                          timeout=60)


def main():
    make_certificates()
    ca = work / "ca.pem"
    trusted = EchoServer(work / "server.pem", work / "server.key")
    untrusted = EchoServer(work / "untrusted.pem", work / "untrusted.key")
    wants_client_cert = EchoServer(work / "server.pem", work / "server.key", client_ca=ca)
    at = f"127.0.0.1:{trusted.port}"

    r = run("--tls", "--ca", ca, at)
    check("--tls --ca round-trips", r.returncode == 0 and r.stdout == "hello\n", r)
    r = run("--tls", "--ca", ca, f"localhost:{trusted.port}", stdin="one\ntwo\n")
    check("--tls by host name (SNI, DNS name checked)", r.returncode == 0 and r.stdout == "one\ntwo\n", r)
    r = run("--tls", "--ca", ca, "--servername", "localhost", at)
    check("--servername that the certificate names", r.returncode == 0 and r.stdout == "hello\n", r)

    r = run("--tls", "--ca", ca, "--servername", "elsewhere.example", at)
    check("--servername that it does not name fails", r.returncode == 1 and "certificate" in r.stderr, r)
    r = run("--tls", at)
    check("the system's CAs do not trust the test CA", r.returncode == 1 and "not trusted" in r.stderr, r)

    r = run("--tls", "--ca", ca, f"127.0.0.1:{untrusted.port}")
    check("an untrusted certificate fails, with a hint",
          r.returncode == 1 and r.stdout == "" and "certificate rejected" in r.stderr and "--insecure" in r.stderr, r)
    r = run("--tls", "--insecure", f"127.0.0.1:{untrusted.port}")
    check("--insecure accepts it", r.returncode == 0 and r.stdout == "hello\n", r)

    r = run("--tls", "--ca", ca, "--cert", work / "client.pem", "--key", work / "client.key",
            f"127.0.0.1:{wants_client_cert.port}")
    check("--cert/--key satisfy a server that requires one", r.returncode == 0 and r.stdout == "hello\n", r)
    r = run("--tls", "--ca", ca, f"127.0.0.1:{wants_client_cert.port}")
    check("without a client certificate that server refuses", r.returncode == 1 and r.stdout == "", r)

    r = run(at)
    check("plaintext to a TLS server gets no echo", r.stdout != "hello\n", r)
    r = run("--tls", "--ca", ca, f"127.0.0.1:{trusted.port}", stdin="")
    check("--tls with empty stdin exits 0", r.returncode == 0, r)

    for name, args in (("--ca without --tls", ["--ca", ca, at]),
                       ("--insecure without --tls", ["--insecure", at]),
                       ("--insecure with --ca", ["--tls", "--insecure", "--ca", ca, at]),
                       ("--cert without --key", ["--tls", "--cert", work / "client.pem", at]),
                       ("--ca that does not exist", ["--tls", "--ca", work / "missing.pem", at])):
        r = run(*args)
        check(f"usage: {name} exits 2", r.returncode == 2, r)
    r = run("--tls", "--ca", work / "leaf.ext", at)
    check("a --ca file with no certificate exits 1 naming it", r.returncode == 1 and "leaf.ext" in r.stderr, r)


try:
    main()
finally:
    subprocess.run(["rm", "-rf", str(work)], check=False)
if failures:
    print(f"{failures} check(s) failed")
    sys.exit(1)
print("all braid-client TLS checks passed")
