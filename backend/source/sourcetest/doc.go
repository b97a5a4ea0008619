// Package sourcetest holds what every platform's tests share: a Meter that
// measures calls per second and downloads in flight over real loopback
// HTTP, and the conformance suite (Run) each platform runs against its
// fake, the way rclone's backends run fstests. Only tests import it.
package sourcetest
