package main

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/metrics"
	"time"
)

// writeMemStats, when FITBRIDGE_MEMSTATS names a file, rewrites it every
// second with where the Go side's memory goes, so `make bench` can break
// a process's resident memory down without a debugger. Off otherwise.
func writeMemStats(ctx context.Context) {
	path := os.Getenv("FITBRIDGE_MEMSTATS")
	if path == "" {
		return
	}
	names := []string{
		"/memory/classes/heap/objects:bytes",
		"/memory/classes/heap/unused:bytes",
		"/memory/classes/heap/free:bytes",
		"/memory/classes/heap/released:bytes",
		"/memory/classes/heap/stacks:bytes",
		"/memory/classes/os-stacks:bytes",
		"/memory/classes/metadata/other:bytes",
		"/memory/classes/other:bytes",
		"/memory/classes/total:bytes",
		"/sched/goroutines:goroutines",
	}
	samples := make([]metrics.Sample, len(names))
	for i, n := range names {
		samples[i].Name = n
	}
	go func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			metrics.Read(samples)
			out := ""
			for _, s := range samples {
				if s.Value.Kind() == metrics.KindUint64 {
					out += fmt.Sprintf("%s %d\n", s.Name, s.Value.Uint64())
				}
			}
			out += fmt.Sprintf("gomaxprocs %d\n", runtime.GOMAXPROCS(0))
			_ = os.WriteFile(path, []byte(out), 0o600)
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
}
