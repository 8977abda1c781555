# The checks of /test/bin/timersleep's count, spin and beside runs that
# system/timer-nolock and system/timer-nolock-aarch64 share (a module,
# not a test: not executable).
import re
from lib import expect_lines, expect_status, fail


def check_counts(result, wait_limit):
	"""timersleep's three ok lines and exit 0; fewer than wait_limit
	big-lock takes a timed wait and fewer than 0.5 a timer interrupt
	in user code."""
	expect_status(result, 0)
	expect_lines(result, ["timersleep: ok count", "timersleep: ok spin",
			      "timersleep: ok beside"])
	m = re.search(r"timersleep: takes ([\d.]+) a wait$", result.output,
		      re.M)
	if not m:
		fail("no takes line")
	if float(m.group(1)) >= wait_limit:
		fail(f"{m.group(1)} big-lock takes a wait (fewer than "
		     f"{wait_limit})")
	m = re.search(r"timersleep: takes ([\d.]+) an interrupt$",
		      result.output, re.M)
	if not m:
		fail("no spin takes line")
	if float(m.group(1)) >= 0.5:
		fail(f"{m.group(1)} big-lock takes a timer interrupt in user "
		     "code (fewer than 0.5)")
