#!/bin/sh
# Runs ABI conformance programs one after the other in a single boot (the
# aarch64 test image's /test/bin/abi-batch, for tests/abi/check --arch
# aarch64): each program's output between a begin line and an end line
# with its exit status, so the host can tell the programs apart.
#
# usage: abi-batch NAME...   (runs /test/abi/NAME; the environment passes on)
for name; do
	echo "@@abi-begin $name"
	"/test/abi/$name"
	echo "@@abi-end $name $?"
done
