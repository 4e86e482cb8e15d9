# Seed 003, "A Simple Server-Client Program": the client of the thanks server (port 23456).
# Already Python 3; changed from the tutorial: host socket.gethostname() set to 127.0.0.1.
import socket

s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)

host = '127.0.0.1'

port = 23456

s.connect((host, port))

msg = s.recv(1024)

print (msg)

s.close()
