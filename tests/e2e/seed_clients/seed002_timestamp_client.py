# Seed 002, "Now Lets create a TCP client": the client of the timestamp server.
# The seed's text lost this listing (it was an image); this is the program its
# prose describes line by line (from socket import *, ADDR = (HOST, PORT),
# prompt '>', stop on empty input or a failed recv), in the Python 3 form, with
# the port of the Wesley Chun example the tutorial follows. Host 'localhost'
# set to 127.0.0.1.
from socket import *

HOST = '127.0.0.1'
PORT = 21567
BUFSIZ = 1024
ADDR = (HOST, PORT)

tcpCliSock = socket(AF_INET, SOCK_STREAM)
tcpCliSock.connect(ADDR)

while True:
    data = input('> ')
    if not data:
        break
    tcpCliSock.send(data.encode())
    data = tcpCliSock.recv(BUFSIZ)
    if not data:
        break
    print(data.decode())

tcpCliSock.close()
