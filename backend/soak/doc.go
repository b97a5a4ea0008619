// Package soak holds FitBridge's long-running robustness test (run by
// `make soak`, never by `make test`): a simulated day of continuous sync,
// compressed in time, against loopback fakes of every service, checking that
// memory, goroutines, open files and browser processes stay where they were.
package soak
