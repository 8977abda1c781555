#!/usr/bin/env python3
# Boots: the default image on microvm with 2 vCPUs.
# Does:  a shell reads /proc/sys/kernel/{pid_max,hostname,osrelease,ostype,
#        tainted},
#        /proc/sys/kernel/random/{boot_id,uuid} (each twice),
#        /proc/sys/fs/{file-max,nr_open} and /sys/devices/system/cpu/
#        {online,possible,present}, lists that directory, runs nproc and
#        nproc --all (which count CPUs the two ways glibc does), ulimit -n
#        and -Hn, and mount.
# Expects: Linux's values and forms (osrelease is uname -r's 6.12.0-petrel,
#        ostype Linux, tainted 0), "0-1" CPUs online, possible and present,
#        cpu0 and cpu1, nproc 2 both ways, the same boot_id twice and two different
#        version-4 uuids, RLIMIT_NOFILE 1024 soft and 4096 hard (Linux's
#        defaults; nr_open is Petrel's 524288), /sys mounted as sysfs;
#        exit status 0.
import os, re, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import boot, expect_lines, expect_status, fail, passed

K = "/proc/sys/kernel/"
CPU = "/sys/devices/system/cpu/"
script = "; ".join([
	"for f in %spid_max %shostname %sosrelease %sostype %stainted "
	"/proc/sys/fs/file-max /proc/sys/fs/nr_open %sonline %spossible "
	"%spresent; do echo \"$f=$(cat $f)\"; done" % (K, K, K, K, K, CPU,
						     CPU, CPU),
	"for i in 1 2; do echo boot_id=$(cat %srandom/boot_id); "
	"echo uuid=$(cat %srandom/uuid); done" % (K, K),
	"echo cpus: $(ls %s)" % CPU,
	"echo nproc=$(nproc) all=$(nproc --all)",
	"echo nofile=$(ulimit -n)/$(ulimit -Hn)",
	"mount | grep ' /sys '",
])
result = boot(script, smp=2)
expect_status(result, 0)
expect_lines(result, [
	K + "pid_max=32768",
	K + "hostname=petrel",
	K + "osrelease=6.12.0-petrel",
	K + "ostype=Linux",
	K + "tainted=0",
	"/proc/sys/fs/file-max=9223372036854775807",
	"/proc/sys/fs/nr_open=524288",
	CPU + "online=0-1",
	CPU + "possible=0-1",
	CPU + "present=0-1",
	"cpus: cpu0 cpu1 online possible present",
	"nproc=2 all=2",
	"nofile=1024/4096",
	"sysfs on /sys type sysfs (rw,relatime)",
])
uuid = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
boot_ids = re.findall(r"^boot_id=(%s)\r?$" % uuid, result.output, re.M)
uuids = re.findall(r"^uuid=(%s)\r?$" % uuid, result.output, re.M)
if len(boot_ids) != 2 or boot_ids[0] != boot_ids[1]:
	fail("boot_id: expected one uuid twice, got %r" % boot_ids)
if len(uuids) != 2 or uuids[0] == uuids[1]:
	fail("uuid: expected two different uuids, got %r" % uuids)
passed()
