# Seed 001, "Example 2": the client of the upper-casing server (port 5000).
# Changed from the tutorial: input(), print(), .encode()/.decode() for Python 3.
import socket
host="127.0.0.1"
port=5000
s=socket.socket()
s.connect((host,port))
message=input("Type here:- ")
while message != "q":
    s.send(message.encode())
    data=s.recv(1024).decode()
    print("reveied from server: ",(data))
    message=input("Type here:- ")
s.close()
