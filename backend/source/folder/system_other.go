//go:build !windows

package folder

import (
	"os"
	"strconv"
)

func windowsDocuments() []namedPath { return nil }

func hostUID() string { return strconv.Itoa(os.Getuid()) }
