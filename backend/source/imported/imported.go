// Package imported is the source of files a rider added by hand (`fitbridge
// import`, the window's Add files, drag and drop). It is a source like the
// platforms: the engine downloads, matches and uploads its activities the
// same way. It has no account and no listing: its activities enter the
// library when they are added, keyed by their content.
package imported

import (
	"context"
	"errors"
	"fmt"
	"io/fs"

	"fitbridge/backend/fitfile"
	"fitbridge/backend/localfile"
	"fitbridge/backend/source"

	"fitbridge/backend/reason"
)

// Name is the stable id of added files in the library and the CLI (--source import).
const Name = "import"

// ExtraPath is the Extra key holding the path a file was added from, so a
// copy lost from FitBridge's cache can be read again.
const ExtraPath = "path"

func init() {
	source.Register(source.Descriptor{
		Name:        Name,
		DisplayName: "Added files",
		Kind:        source.KindFiles,
		Description: "Activity files you added yourself: FIT, TCX or GPX, alone, zipped or gzipped.",
		Color:       "#7a7a7a",
		// Reading files on this computer needs no pacing.
		Limits:     source.Limits{PerSecond: 100, Burst: 100, Concurrency: 2},
		New:        func(source.Config) (source.Source, error) { return Source{}, nil },
		ExternalID: ExternalID,
		// Intervals.icu's description names where an activity came from; a
		// file the rider added needs no such note.
		Describe: func(string) string { return "" },
	})
}

// ExternalID is the external_id of an added file: its content hash.
func ExternalID(hash string) string { return "fitbridge-import-" + hash }

// Source reads added files again from where they were added.
type Source struct{}

// List yields nothing: added files enter the library when they are added.
func (Source) List(context.Context, source.Query, func(source.Activity) error) error { return nil }

// Download reads the file again from the path it was added from, when
// FitBridge's own copy is gone. A file changed or moved since is refused
// with what to do: its content is its identity.
func (Source) Download(_ context.Context, a source.Activity) ([]byte, error) {
	path := a.Extra[ExtraPath]
	if path == "" {
		return nil, source.Skip("%s", reason.AddedGoneNoFolder.Text())
	}
	// Only a regular file within the activity budget: what is at that path
	// now may be anything.
	data, err := localfile.ReadFile(path, localfile.MaxActivity)
	var nr *localfile.NotRegularError
	var tl *localfile.TooLargeError
	if errors.As(err, &nr) || errors.As(err, &tl) {
		return nil, source.Skip("%s", reason.AddedGoneBecause.Text(err.Error()))
	}
	if errors.Is(err, fs.ErrNotExist) {
		return nil, source.Skip("%s", reason.AddedGoneFrom.Text(path))
	}
	if err != nil {
		return nil, fmt.Errorf("read the added file %s again: %w", path, err)
	}
	if fitfile.ContentHash(data) != a.RemoteID {
		return nil, source.Skip("%s", reason.AddedChanged.Text(path))
	}
	return data, nil
}
