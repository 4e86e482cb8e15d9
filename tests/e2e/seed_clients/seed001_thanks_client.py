# Seed 001, "A simple server-client program": the client of the thanks server (port 12345).
# Changed from the tutorial: print() and .decode() for Python 3.
# Import socket module
import socket

# Create a socket object
s = socket.socket()

# Define the port on which you want to connect
port = 12345

# connect to the server on local computer
s.connect(('127.0.0.1', port))

# receive data from the server
print(s.recv(1024).decode())

# close the connection
s.close()
