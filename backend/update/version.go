package update

import (
	"cmp"
	"strconv"
	"strings"
)

// semver is a parsed semantic version; build metadata ("+g1a2b3c4") is
// dropped, as semantic versioning ignores it for order.
type semver struct {
	core [3]int
	pre  []string
}

func parse(v string) (semver, bool) {
	v, _, _ = strings.Cut(strings.TrimPrefix(v, "v"), "+")
	core, pre, hasPre := strings.Cut(v, "-")
	parts := strings.Split(core, ".")
	if len(parts) != 3 {
		return semver{}, false
	}
	var s semver
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return semver{}, false
		}
		s.core[i] = n
	}
	if hasPre {
		if pre == "" {
			return semver{}, false
		}
		s.pre = strings.Split(pre, ".")
	}
	return s, true
}

// Newer reports whether version a comes after version b. A version that does
// not parse is never newer, and anything is newer than an unparsable b.
func Newer(a, b string) bool {
	va, okA := parse(a)
	vb, okB := parse(b)
	switch {
	case !okA:
		return false
	case !okB:
		return true
	}
	return compare(va, vb) > 0
}

func compare(a, b semver) int {
	for i := range a.core {
		if a.core[i] != b.core[i] {
			return cmp.Compare(a.core[i], b.core[i])
		}
	}
	// A release sorts after its pre-releases (1.2.3 > 1.2.3-dev.4).
	switch {
	case len(a.pre) == 0 && len(b.pre) == 0:
		return 0
	case len(a.pre) == 0:
		return 1
	case len(b.pre) == 0:
		return -1
	}
	for i := 0; i < len(a.pre) && i < len(b.pre); i++ {
		if c := comparePre(a.pre[i], b.pre[i]); c != 0 {
			return c
		}
	}
	return cmp.Compare(len(a.pre), len(b.pre))
}

// comparePre orders one dot-separated pre-release part: numbers by value,
// before words; words by their bytes.
func comparePre(a, b string) int {
	na, errA := strconv.Atoi(a)
	nb, errB := strconv.Atoi(b)
	switch {
	case errA == nil && errB == nil:
		return cmp.Compare(na, nb)
	case errA == nil:
		return -1
	case errB == nil:
		return 1
	}
	return strings.Compare(a, b)
}
