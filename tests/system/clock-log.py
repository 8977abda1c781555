#!/usr/bin/env python3
# Boots: the test image on microvm (TCG, 1 vCPU).
# Does:  runs /test/bin/timeprobe (clock_settime, settimeofday, /dev/rtc0
#        and syslog(2) errors as root, then as uid 65534); sets the clock
#        with BusyBox `date -s`, writes it to the CMOS RTC with `hwclock -w`
#        and reads it back with `hwclock -r`; reads the kernel log with
#        `dmesg`, clears it with `dmesg -c`.
# Expects: the date set, the RTC holding it, the boot banner in dmesg and
#        an empty log after -c; EINVAL for a monotonic clock, a bad time
#        or a bad RTC month; EPERM for the clock and syslog as uid 65534
#        (Debian's dmesg_restrict = 1), EACCES for RTC_SET_TIME.
import os, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import boot, expect_lines, expect_status, passed

SCRIPT = """
/test/bin/timeprobe
date -u -s '2031-05-06 07:08:09' >/dev/null && date -u +%Y-%m-%d
hwclock -u -w && hwclock -u -r | cut -c1-24
dmesg | grep -c '^Petrel'
dmesg -c >/dev/null; echo "after -c: $(dmesg | wc -c)"
"""

result = boot(["sh", "-c", SCRIPT], test_image=True)
expect_status(result, 0)
expect_lines(result, [
	"open /dev/rtc: 0",
	"settime monotonic: EINVAL",
	"settime bad nsec: EINVAL",
	"rtc read: 0",
	"rtc set month 12: EINVAL",
	"rtc other ioctl: ENOTTY",
	"syslog size: 0",
	"syslog read_all has Petrel: 0",
	"syslog read_all len -1: EINVAL",
	"syslog console level 9: EINVAL",
	"syslog bad action: EINVAL",
	"user clock_settime: EPERM",
	"user settimeofday: EPERM",
	"user syslog read_all: EPERM",
	"user syslog size: EPERM",
	"user rtc read: 0",
	"user rtc set: EACCES",
	"user open rtc0: EACCES",
	"2031-05-06",
	"Tue May  6 07:08:09 2031",
	"1",
	"after -c: 0",
])
passed()
