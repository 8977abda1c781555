#!/usr/bin/env python3
# Boots: the default image on microvm with user networking (netd, httpd).
# Does:  waits for httpd's listener in netstat, listens with nc on TCP 5555, holds a TCP connection
#        to httpd on 127.0.0.1:80 open, then runs BusyBox netstat, which
#        reads /proc/net/tcp, tcp6, udp and udp6; the kernel asks netd for
#        them (PT_SOCK_PROC).
# Expects: the listener, httpd's :80 and :443, both ends of the open
#        connection (httpd's an IPv4-mapped IPv6 address, as on Linux), and
#        DHCP's UDP port 68, in netstat's columns.
import os, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import boot, expect_in, expect_status, passed

script = ("until netstat -tln | grep -q ':80 '; do sleep 0.2; done; "
	  "nc -l -p 5555 & "
	  "(sleep 6 | nc 127.0.0.1 80) & sleep 3; "
	  "ls /proc/net; netstat -tan; netstat -uan; "
	  "head -1 /proc/net/tcp")
result = boot([script])
expect_status(result, 0)
for text in ("dev       if_inet6  route     tcp       tcp6      udp       udp6",
	     ":::5555                 :::*                    LISTEN",
	     ":::80                   :::*                    LISTEN",
	     ":::443                  :::*                    LISTEN",
	     "127.0.0.1:80            ESTABLISHED ",
	     "::ffff:127.0.0.1:80     ::ffff:127.0.0.1:",
	     "udp        0      0 0.0.0.0:68              0.0.0.0:67",
	     "  sl  local_address rem_address   st tx_queue rx_queue tr "
	     "tm->when retrnsmt   uid  timeout inode"):
	expect_in(result, text)
passed()
