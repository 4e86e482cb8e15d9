# Seed 004, "UDP Client": the client of the UDP server with the fixed reply (port 12345).
# Already Python 3; changed from the tutorial: host socket.gethostname() set to 127.0.0.1.
import socket
#Create Socket object , SOCK_DGRAM for UDP
sock=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)
#get the local machine name
host='127.0.0.1'
port=12345
server_add=(host,port)
msg='hello my first udp program'
#convert string message to bytes
msg=msg.encode('ascii')
#send the message to server
sock.sendto(msg,server_add)
#recieve message from the server, recvfrom return message and sender address
data,add= sock.recvfrom(1024)
#convert the recived bytes message to string
text = data.decode('ascii')
print('recive data from',add,'data=',text)
