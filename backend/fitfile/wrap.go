package fitfile

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"fitbridge/backend/localfile"

	"fitbridge/backend/reason"
)

// maxUnpacked bounds what a gzip or zip may unpack to, so a small archive
// cannot claim gigabytes of memory: the one activity-file budget. A
// variable so tests can lower it.
var maxUnpacked = localfile.MaxActivity

// maxZipEntries bounds how many zip entries are looked at.
const maxZipEntries = 10000

func isGzip(data []byte) bool { return len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b }

// IsZip reports whether data starts like a ZIP archive (an empty one too).
func IsZip(data []byte) bool {
	return len(data) >= 4 && data[0] == 'P' && data[1] == 'K' &&
		((data[2] == 3 && data[3] == 4) || (data[2] == 5 && data[3] == 6))
}

func summarize(data []byte) (s Summary, err error) {
	// Nothing in here should panic (the fuzz tests call summarizeAll
	// directly to find out), but a panic must never take the app down.
	defer func() {
		if r := recover(); r != nil {
			s, err = Summary{}, unreadable("internal error while reading the file: %v", r)
		}
	}()
	return summarizeAll(data)
}

func summarizeAll(data []byte) (s Summary, err error) {
	// A zip may be tried entry by entry: keep the first attempt for the
	// failure case and the last for success.
	var first Summary
	tries := 0
	wrapping, note, err := withPayload(data, func(payload []byte) error {
		var e error
		s, e = summarizeRaw(payload)
		if tries == 0 {
			first = s
		}
		tries++
		return e
	})
	if err != nil {
		s = first
		var ue *UnreadableError
		if errors.As(err, &ue) {
			s = Summary{Format: s.Format, Decoder: s.Decoder}
		}
	}
	s.Wrapping = wrapping
	s.Note = joinNote(note, s.Note)
	return s, err
}

// summarizeRaw reads an unpacked file.
func summarizeRaw(data []byte) (Summary, error) {
	switch {
	case len(data) == 0:
		return Summary{}, unreadable("%s", reason.EmptyFile.Text())
	case looksLikeFIT(data):
		return summarizeFIT(data)
	case looksLikeXML(data):
		return summarizeXML(data)
	case isGzip(data) || IsZip(data):
		return Summary{}, unreadable("%s", reason.ArchiveInArchive.Text())
	}
	return Summary{}, unreadable("%s", reason.NotActivityFile.Text())
}

// withPayload hands try the file itself or, for gzip and zip, what they
// hold. A zip may hold several FIT/TCX/GPX files: they are tried in archive
// order and the first one that try accepts wins; if none does, the first
// one's error is returned. note names the chosen entry when there was a
// choice.
func withPayload(data []byte, try func([]byte) error) (wrapping, note string, err error) {
	switch {
	case isGzip(data):
		inner, err := gunzip(data)
		if err != nil {
			return "gzip", "", err
		}
		return "gzip", "", try(inner)
	case IsZip(data):
		note, err := fromZip(data, try)
		return "zip", note, err
	}
	return "", "", try(data)
}

// gunzip unpacks every member of a gzip stream; bytes after the last member
// that do not start another member are ignored. A first pass only counts,
// so a bomb is stopped at the budget having held nothing, and the second
// fills a buffer of exactly the right size instead of one grown by doubling.
func gunzip(data []byte) ([]byte, error) {
	n, err := gunzipTo(io.Discard, data)
	if err != nil {
		return nil, err
	}
	out := bytes.NewBuffer(make([]byte, 0, n+bytes.MinRead))
	if _, err := gunzipTo(out, data); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

func gunzipTo(dst io.Writer, data []byte) (int64, error) {
	br := bytes.NewReader(data)
	zr, err := gzip.NewReader(br)
	if err != nil {
		return 0, gzipError(err)
	}
	var total int64
	for {
		zr.Multistream(false)
		n, err := io.Copy(dst, io.LimitReader(zr, int64(maxUnpacked)-total+1))
		total += n
		if err != nil {
			return total, gzipError(err)
		}
		if total > int64(maxUnpacked) {
			return total, unreadable("unpacked file is larger than %s", sizeText(maxUnpacked))
		}
		rest := data[len(data)-br.Len():]
		if !isGzip(rest) {
			return total, nil
		}
		if err := zr.Reset(br); err != nil {
			return total, gzipError(err)
		}
	}
}

func gzipError(err error) error {
	var ue *UnreadableError
	var ce flate.CorruptInputError
	switch {
	case errors.As(err, &ue):
		return err
	case errors.Is(err, gzip.ErrChecksum):
		return unreadable("gzip checksum mismatch")
	case errors.Is(err, gzip.ErrHeader):
		return unreadable("damaged gzip header")
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return unreadable("gzip data ends early")
	case errors.As(err, &ce):
		return unreadable("damaged compressed data at byte %d", int64(ce))
	}
	return unreadable("damaged compressed data: %v", err)
}

type zipCandidate struct {
	f  *zip.File
	gz bool
}

func fromZip(data []byte, try func([]byte) error) (string, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return "", unreadable("damaged zip archive: %v", strings.TrimPrefix(err.Error(), "zip: "))
	}
	var cands []zipCandidate
	for i, f := range zr.File {
		if i >= maxZipEntries {
			break
		}
		name := f.Name
		if f.FileInfo().IsDir() || strings.HasPrefix(name, "__MACOSX/") || strings.HasPrefix(path.Base(name), ".") {
			continue
		}
		head, gz, err := zipHead(f)
		if err != nil {
			continue
		}
		if len(head) > 0 && (looksLikeFIT(head) || looksLikeXMLActivity(head)) {
			cands = append(cands, zipCandidate{f, gz})
		}
	}
	if len(cands) == 0 {
		return "", unreadable("%s", reason.ZipHoldsNone.Text())
	}
	var firstErr error
	used := 0
	for i, c := range cands {
		content, err := readZipEntry(c)
		if err == nil {
			used += len(content)
			if used > maxUnpacked {
				err = unreadable("unpacked files are larger than %s", sizeText(maxUnpacked))
			} else {
				err = try(content)
			}
		}
		if err == nil {
			if len(cands) == 1 {
				return "", nil
			}
			return fmt.Sprintf("zip holds %d FIT/TCX/GPX files; read %s", len(cands), c.f.Name), nil
		}
		if i == 0 {
			firstErr = err
		}
		if used > maxUnpacked {
			break
		}
	}
	if len(cands) == 1 {
		return "", firstErr
	}
	return fmt.Sprintf("zip holds %d FIT/TCX/GPX files and none is a readable activity; showing %s", len(cands), cands[0].f.Name), firstErr
}

// zipHead reads the first bytes of an entry, unpacking a gzip entry, to see
// what it holds.
func zipHead(f *zip.File) ([]byte, bool, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, false, err
	}
	defer rc.Close()
	head := make([]byte, 4096)
	n, err := io.ReadFull(rc, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, false, err
	}
	head = head[:n]
	if !isGzip(head) {
		return head, false, nil
	}
	zr, err := gzip.NewReader(io.MultiReader(bytes.NewReader(head), rc))
	if err != nil {
		return nil, true, err
	}
	inner := make([]byte, 4096)
	n, err = io.ReadFull(zr, inner)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, true, err
	}
	return inner[:n], true, nil
}

func readZipEntry(c zipCandidate) ([]byte, error) {
	// Counted first, as gunzip does: an entry's declared size may lie.
	n, err := copyZipEntry(io.Discard, c)
	if err != nil {
		return nil, err
	}
	buf := bytes.NewBuffer(make([]byte, 0, n+bytes.MinRead))
	if _, err := copyZipEntry(buf, c); err != nil {
		return nil, err
	}
	if c.gz {
		return gunzip(buf.Bytes())
	}
	return buf.Bytes(), nil
}

func copyZipEntry(dst io.Writer, c zipCandidate) (int64, error) {
	rc, err := c.f.Open()
	if err != nil {
		return 0, unreadable("damaged zip entry %s: %v", c.f.Name, strings.TrimPrefix(err.Error(), "zip: "))
	}
	defer rc.Close()
	n, err := io.Copy(dst, io.LimitReader(rc, int64(maxUnpacked)+1))
	if err != nil {
		return n, unreadable("damaged zip entry %s: %v", c.f.Name, strings.TrimPrefix(err.Error(), "zip: "))
	}
	if n > int64(maxUnpacked) {
		return n, unreadable("unpacked file is larger than %s", sizeText(maxUnpacked))
	}
	return n, nil
}

func sizeText(n int) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d KiB", n>>10)
}
