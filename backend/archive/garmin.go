package archive

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path"
	"sort"
)

// TempPattern names the temporary copy of a large nested ZIP (os.CreateTemp).
const TempPattern = "fitbridge-nested-*.zip"

// nestedTree opens a ZIP inside the archive without unpacking the archive:
// a stored one is read where it lies, a small compressed one in memory, a
// large one through one temporary file, removed by the returned cleanup.
func (s *Source) nestedTree(e entry, opts Options) (*tree, func(), error) {
	none := func() {}
	switch {
	case e.disk != "":
		f, err := os.Open(e.disk)
		if err != nil {
			return nil, none, err
		}
		t, err := zipTree(f, e.size)
		if err != nil {
			f.Close()
			return nil, none, err
		}
		return t, func() { f.Close() }, nil
	case e.zf.Method == zip.Store && s.t.ra != nil:
		off, err := e.zf.DataOffset()
		if err != nil {
			return nil, none, err
		}
		t, err := zipTree(io.NewSectionReader(s.t.ra, off, int64(e.zf.CompressedSize64)), int64(e.zf.CompressedSize64))
		return t, none, err
	case e.size <= opts.NestedInMemory:
		data, err := s.t.read(e, opts.NestedInMemory)
		if err != nil {
			return nil, none, err
		}
		t, err := zipTree(bytes.NewReader(data), int64(len(data)))
		return t, none, err
	case e.size > opts.NestedOnDisk:
		return nil, none, fmt.Errorf("%s is larger than %d GB", path.Base(e.path), opts.NestedOnDisk>>30)
	}
	tmp, err := os.CreateTemp(opts.TempDir, TempPattern)
	if err != nil {
		return nil, none, fmt.Errorf("make room to read %s: %w", path.Base(e.path), err)
	}
	cleanup := func() { tmp.Close(); os.Remove(tmp.Name()) }
	rc, err := s.t.open(e)
	if err != nil {
		cleanup()
		return nil, none, err
	}
	n, err := io.Copy(tmp, io.LimitReader(rc, opts.NestedOnDisk+1))
	rc.Close()
	if err == nil && n > opts.NestedOnDisk {
		err = fmt.Errorf("%s is larger than %d GB", path.Base(e.path), opts.NestedOnDisk>>30)
	}
	if err != nil {
		cleanup()
		return nil, none, plainZipErr(err)
	}
	t, err := zipTree(tmp, n)
	if err != nil {
		cleanup()
		return nil, none, err
	}
	return t, cleanup, nil
}

func (s *Source) walkGarmin(ctx context.Context, opts Options, fn func(Member) error) error {
	done := 0
	for _, i := range s.l.nested {
		if err := ctx.Err(); err != nil {
			return err
		}
		outer := s.t.entries[i]
		inner, cleanup, err := s.nestedTree(outer, opts)
		if err != nil {
			if ferr := fn(Member{Path: outer.path, Err: fmt.Errorf("this part of the Garmin export cannot be opened: %w", plainZipErr(err))}); ferr != nil {
				return ferr
			}
			continue
		}
		var files []entry
		for _, e := range inner.entries {
			if isActivityName(e.path) {
				files = append(files, e)
			}
		}
		sort.Slice(files, func(a, b int) bool { return files[a].path < files[b].path })
		for _, e := range files {
			if err := ctx.Err(); err != nil {
				cleanup()
				return err
			}
			m := Member{Path: outer.path + "/" + e.path}
			m.Data, m.Err = inner.read(e, opts.MaxMember)
			done++
			if opts.Progress != nil {
				opts.Progress(done, 0, m.Path)
			}
			if err := fn(m); err != nil {
				cleanup()
				return err
			}
		}
		cleanup()
	}
	for _, i := range s.l.loose {
		if err := ctx.Err(); err != nil {
			return err
		}
		e := s.t.entries[i]
		m := Member{Path: e.path}
		m.Data, m.Err = s.t.read(e, opts.MaxMember)
		done++
		if opts.Progress != nil {
			opts.Progress(done, 0, m.Path)
		}
		if err := fn(m); err != nil {
			return err
		}
	}
	return nil
}
