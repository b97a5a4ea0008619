// Command benchreport turns the raw output of `make bench` into numbers that
// cannot drift silently: it reads Go benchmark lines (name, iterations, then
// value-unit pairs), writes them as JSON, and prints a table of each figure
// against the checked-in baseline as a ratio, flagging any that got worse
// by more than 10 %. Machines differ, so only ratios are compared.
//
//	go run ./tools/benchreport -in raw.txt -json docs/benchmarks.json -baseline docs/benchmarks-baseline.json
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Result is one measured figure.
type Result struct {
	Value float64 `json:"value"`
	Unit  string  `json:"unit"`
	// Better is "lower" or "higher".
	Better string `json:"better"`
}

// Report is what `make bench` writes beside docs/BENCHMARKS.md.
type Report struct {
	Written string            `json:"written"`
	Machine map[string]string `json:"machine"`
	Results map[string]Result `json:"results"`
}

// Worse is how much a figure may move the wrong way before it is flagged.
const Worse = 0.10

var benchLine = regexp.MustCompile(`^(Benchmark\S+?)(?:-\d+)?\s+(\d+)\s+(.+)$`)

// parse reads every benchmark line. A figure measured twice keeps the last.
func parse(r io.Reader) (map[string]Result, error) {
	out := map[string]Result{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		m := benchLine.FindStringSubmatch(strings.TrimSpace(sc.Text()))
		if m == nil {
			continue
		}
		fields := strings.Fields(m[3])
		for i := 0; i+1 < len(fields); i += 2 {
			v, err := strconv.ParseFloat(fields[i], 64)
			if err != nil {
				break
			}
			unit := fields[i+1]
			if unit == "B/op" || unit == "allocs/op" {
				continue // allocation counts move with every library update
			}
			out[m[1]+" "+unit] = Result{Value: v, Unit: unit, Better: better(unit)}
		}
	}
	return out, sc.Err()
}

// better says which way is good for a unit: throughput and speed-up up,
// everything else (time, memory, ratio to a bound) down.
func better(unit string) string {
	switch {
	case strings.HasSuffix(unit, "/s"), unit == "speedup":
		return "higher"
	}
	return "lower"
}

// Row is one figure compared with its baseline.
type Row struct {
	Name     string
	Now      Result
	Base     *Result
	Ratio    float64 // now / baseline; 0 without a baseline
	Worsened bool
}

func compare(now, base map[string]Result) []Row {
	var rows []Row
	for name, r := range now {
		row := Row{Name: name, Now: r}
		if b, ok := base[name]; ok && b.Value != 0 {
			row.Base = &b
			row.Ratio = r.Value / b.Value
			if r.Better == "higher" {
				row.Worsened = row.Ratio < 1-Worse
			} else {
				row.Worsened = row.Ratio > 1+Worse
			}
		}
		rows = append(rows, row)
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].Name < rows[j].Name })
	return rows
}

func format(v float64, unit string) string {
	if unit == "ns/op" {
		switch {
		case v >= 1e9:
			return fmt.Sprintf("%.2f s", v/1e9)
		case v >= 1e6:
			return fmt.Sprintf("%.2f ms", v/1e6)
		case v >= 1e3:
			return fmt.Sprintf("%.1f µs", v/1e3)
		}
	}
	if math.Abs(v) >= 100 {
		return fmt.Sprintf("%.0f %s", v, unit)
	}
	return fmt.Sprintf("%.3g %s", v, unit)
}

func table(w io.Writer, rows []Row) (worse int) {
	fmt.Fprintln(w, "| figure | now | baseline | now / baseline | |")
	fmt.Fprintln(w, "| --- | --- | --- | --- | --- |")
	for _, r := range rows {
		base, ratio, flag := "–", "–", ""
		if r.Base != nil {
			base = format(r.Base.Value, r.Base.Unit)
			ratio = fmt.Sprintf("%.2f", r.Ratio)
		}
		if r.Worsened {
			flag = fmt.Sprintf("**worse by more than %.0f %%**", Worse*100)
			worse++
		}
		fmt.Fprintf(w, "| `%s` | %s | %s | %s | %s |\n", r.Name, format(r.Now.Value, r.Now.Unit), base, ratio, flag)
	}
	return worse
}

func main() {
	in := flag.String("in", "-", "raw benchmark output")
	jsonOut := flag.String("json", "", "write the results here as JSON")
	baseline := flag.String("baseline", "", "compare with this earlier JSON report")
	flag.Parse()

	var r io.Reader = os.Stdin
	if *in != "-" {
		f, err := os.Open(*in)
		if err != nil {
			fail(err)
		}
		defer f.Close()
		r = f
	}
	now, err := parse(r)
	if err != nil {
		fail(err)
	}
	if len(now) == 0 {
		fail(fmt.Errorf("no benchmark lines in the input"))
	}
	rep := Report{Written: time.Now().UTC().Format(time.RFC3339), Machine: machine(), Results: now}
	if *jsonOut != "" {
		b, _ := json.MarshalIndent(rep, "", "  ")
		if err := os.WriteFile(*jsonOut, append(b, '\n'), 0o644); err != nil {
			fail(err)
		}
	}
	base := map[string]Result{}
	if *baseline != "" {
		if b, err := os.ReadFile(*baseline); err == nil {
			var old Report
			if err := json.Unmarshal(b, &old); err != nil {
				fail(fmt.Errorf("read the baseline %s: %w", *baseline, err))
			}
			base = old.Results
		}
	}
	worse := table(os.Stdout, compare(now, base))
	fmt.Printf("\n%d figures, %d worse than the baseline by more than %.0f %%.\n", len(now), worse, Worse*100)
}

func machine() map[string]string {
	m := map[string]string{"cpus": strconv.Itoa(runtime.NumCPU())}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(line, "model name") {
				m["cpu"] = strings.TrimSpace(strings.SplitN(line, ":", 2)[1])
				break
			}
		}
	}
	return m
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "benchreport:", err)
	os.Exit(1)
}
