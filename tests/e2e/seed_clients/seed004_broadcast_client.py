# Seed 004, "UDP client broadcast": asks port 12345 by broadcast.
# Already Python 3; changed from the tutorial: "<broadcast>" set to 127.255.255.255.
import socket

def client(ip,port):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    text = 'Broadcast datagram!'
    sock.sendto(text.encode('ascii'), (ip, port))
    msg, add = sock.recvfrom(1024)
    msg = msg.decode('ascii')
    print(add,msg)

client("127.255.255.255",12345)
