//go:build windows

package folder

import (
	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/registry"
)

// windowsDocuments finds the real Documents folder, which OneDrive backup or a
// Known Folder redirect (often to a network share) moves away from
// %USERPROFILE%\Documents.
func windowsDocuments() []namedPath {
	var out []namedPath
	if p, err := windows.KnownFolderPath(windows.FOLDERID_Documents, windows.KF_FLAG_DONT_VERIFY); err == nil && p != "" {
		out = append(out, namedPath{p, "Documents (Windows Known Folder)"})
	}
	k, err := registry.OpenKey(registry.CURRENT_USER, `Software\Microsoft\Windows\CurrentVersion\Explorer\User Shell Folders`, registry.QUERY_VALUE)
	if err == nil {
		defer k.Close()
		if p, _, err := k.GetStringValue("Personal"); err == nil && p != "" {
			out = append(out, namedPath{p, `Documents (registry User Shell Folders\Personal)`})
		}
	}
	return out
}

func hostUID() string { return "" }
