#!/usr/bin/env python3
"""Writes the seed corpus of fuzz-tls-record (tests/fuzz/corpus/tls_record):
real ClientHellos made by Python's ssl module (TLS 1.3 and 1.2 only), plaintext
and garbage, and steps for the fuzzer's real-client mode. The input format is
tls_record_fuzzer.cpp's: a mode byte, then steps of (control, length, bytes)."""

import os
import ssl
import sys

PAUSE, RESUME, PEER_STOPS, PEER_READS, TIME, PLAIN, LARGE, HALF_CLOSE = 1, 2, 4, 8, 16, 32, 64, 128


def client_hello(version=None):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    if version:
        context.maximum_version = version
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = context.wrap_bio(incoming, outgoing, server_hostname="localhost")
    try:
        tls.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return outgoing.read()


def steps(*pairs):
    out = b""
    for control, data in pairs:
        while True:
            out += bytes([control, min(len(data), 255)]) + data[:255]
            data = data[255:]
            if not data:
                break
    return out


def main(directory):
    hello13 = client_hello()
    hello12 = client_hello(ssl.TLSVersion.TLSv1_2)
    seeds = {
        "client_hello_13": b"\x00" + steps((0, hello13)),
        "client_hello_12": b"\x00" + steps((0, hello12)),
        "client_hello_then_time": b"\x00" + steps((0, hello13), (TIME, b""), (TIME, b"")),
        "client_hello_then_half_close": b"\x00" + steps((0, hello12), (HALF_CLOSE, b"")),
        "client_hello_paused": b"\x00" + steps((PAUSE, hello13[:100]), (RESUME, hello13[100:])),
        "plaintext_http": b"\x00" + steps((0, b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")),
        "garbage": b"\x00" + steps((0, bytes(range(256)))),
        "record_header_huge": b"\x00" + steps((0, b"\x16\x03\x01\xff\xff" + b"\x01" * 200)),
        "real_client_lines": b"\x01" + steps((PLAIN, b"hello\n"), (PLAIN | LARGE, b"x" * 255),
                                             (PLAIN, b"Pause me\n"), (RESUME, b""), (PLAIN, b"Close\n")),
        "real_client_13_flow": b"\x03" + steps((PEER_STOPS, b""), (PLAIN | LARGE, b"y" * 255),
                                               (PLAIN | LARGE, b"z" * 255), (PEER_READS, b""), (PLAIN, b"Abort")),
        "real_client_then_garbage": b"\x01" + steps((PLAIN, b"ok\n"), (0, b"\x17\x03\x03\x00\x20" + b"\x00" * 32)),
        "real_client_half_close": b"\x01" + steps((PLAIN, b"bye\n"), (HALF_CLOSE, b"")),
    }
    os.makedirs(directory, exist_ok=True)
    for name, data in seeds.items():
        with open(os.path.join(directory, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "corpus", "tls_record"))
