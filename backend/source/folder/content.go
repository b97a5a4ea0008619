package folder

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"fitbridge/backend/reason"
)

// Content formats this package tells apart. The engine's fitfile package does
// the real reading; this is only enough to say "finished activity file or not".
const (
	formatFIT = "fit"
	formatTCX = "tcx"
	formatGPX = "gpx"
)

// maxInflated bounds what a gzip or zip member may expand to, so a hostile or
// broken archive cannot exhaust memory. Real activity files are far smaller.
const maxInflated = 256 << 20

// fitCRCTable is the CRC-16 used by FIT files (reflected polynomial 0x8005,
// initial value 0), the checksum the FIT protocol puts after header and data.
var fitCRCTable = func() (t [256]uint16) {
	for i := range t {
		c := uint16(i)
		for range 8 {
			if c&1 != 0 {
				c = c>>1 ^ 0xA001
			} else {
				c >>= 1
			}
		}
		t[i] = c
	}
	return t
}()

func fitCRC(b []byte) uint16 {
	var c uint16
	for _, x := range b {
		c = c>>8 ^ fitCRCTable[byte(c)^x]
	}
	return c
}

// isFITHeader reports whether b starts like a FIT file: a header of at least
// 12 bytes whose bytes 8-11 read ".FIT".
func isFITHeader(b []byte) bool {
	return len(b) >= 12 && b[0] >= 12 && string(b[8:12]) == ".FIT"
}

// checkFIT is the cheap "is this FIT complete and intact" test: every header is
// sound, the file is exactly header + data + CRC long (chained FIT segments
// allowed), and each CRC matches. The error reads well in a log or the UI.
func checkFIT(b []byte) error {
	if !isFITHeader(b) {
		return errors.New("not a FIT file")
	}
	for off, n := 0, 1; off < len(b); n++ {
		seg := b[off:]
		if !isFITHeader(seg) {
			return fmt.Errorf("%d bytes after the end its header announces", len(seg))
		}
		hs := int(seg[0])
		if len(seg) < hs {
			return fmt.Errorf("file ends inside its header")
		}
		if hs >= 14 {
			if want := binary.LittleEndian.Uint16(seg[12:14]); want != 0 && want != fitCRC(seg[:12]) {
				return errors.New("header checksum mismatch")
			}
		}
		total := hs + int(binary.LittleEndian.Uint32(seg[4:8])) + 2
		if total < hs || len(seg) < total { // total < hs: the size overflowed int
			return fmt.Errorf("file ends %d bytes early", total-len(seg))
		}
		if len(seg) > total && !isFITHeader(seg[total:]) {
			// More bytes than the header announces, and not a chained FIT
			// file: the header is stale, as in a recording still being
			// written or never finalised.
			return fmt.Errorf("%d bytes after the end its header announces (still being written, or not finalised)", len(seg)-total)
		}
		if binary.LittleEndian.Uint16(seg[total-2:total]) != fitCRC(seg[:total-2]) {
			if n == 1 {
				return errors.New("checksum mismatch")
			}
			return fmt.Errorf("checksum mismatch in chained part %d", n)
		}
		off += total
	}
	return nil
}

// xmlRoot returns the local name of the first element of an XML document, or
// "" when b does not start like XML. Only the head of the file is needed.
func xmlRoot(b []byte) string {
	if len(b) > 8192 {
		b = b[:8192]
	}
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	b = bytes.TrimLeft(b, " \t\r\n")
	if len(b) == 0 || b[0] != '<' {
		return ""
	}
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = false
	// Declared encodings other than UTF-8 (some GPX exporters write
	// ISO-8859-1) only matter for text, not for the root element's name.
	d.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	for range 64 {
		tok, err := d.Token()
		if err != nil {
			return ""
		}
		if se, ok := tok.(xml.StartElement); ok {
			return se.Name.Local
		}
	}
	return ""
}

// xmlComplete reports whether an XML document ends with its root's closing
// tag, which a file still being written (or cut off) does not.
func xmlComplete(b []byte, root string) bool {
	b = bytes.TrimRight(b, " \t\r\n\x00")
	if len(b) == 0 || b[len(b)-1] != '>' {
		return false
	}
	i := bytes.LastIndex(b, []byte("</"))
	if i < 0 {
		return false
	}
	name := strings.TrimSpace(string(b[i+2 : len(b)-1]))
	if j := strings.IndexByte(name, ':'); j >= 0 {
		name = name[j+1:]
	}
	return name == root
}

// activityContent says what a file holds and whether it is complete. It
// returns the format ("fit", "tcx", "gpx"), the wrapping ("", "gzip", "zip"),
// and an error when the file is not (or not yet) a whole activity file.
// Unknown content gives errUnknownContent.
func activityContent(b []byte) (format, wrapping string, err error) {
	switch {
	case len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b:
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return "", "gzip", fmt.Errorf("gzip: %w", err)
		}
		inner, err := io.ReadAll(io.LimitReader(zr, maxInflated+1))
		if err != nil { // includes a truncated stream and a bad CRC-32
			return "", "gzip", fmt.Errorf("gzip: %w", err)
		}
		if len(inner) > maxInflated {
			return "", "gzip", errors.New("gzip expands beyond 256 MiB")
		}
		format, err := plainContent(inner)
		if errors.Is(err, errUnknownContent) {
			return "", "gzip", errors.New("gzip holds no FIT, TCX or GPX file")
		}
		return format, "gzip", err
	case bytes.HasPrefix(b, []byte("PK\x03\x04")):
		format, err := zipContent(b)
		return format, "zip", err
	}
	format, err = plainContent(b)
	return format, "", err
}

var errUnknownContent = errors.New(reason.NotActivityFile.Text())

func plainContent(b []byte) (string, error) {
	if isFITHeader(b) {
		return formatFIT, checkFIT(b)
	}
	switch root := xmlRoot(b); root {
	case "TrainingCenterDatabase", "gpx":
		format := formatTCX
		if root == "gpx" {
			format = formatGPX
		}
		if !xmlComplete(b, root) {
			return format, fmt.Errorf("%s file does not end with </%s> (still being written, or cut off)", strings.ToUpper(format), root)
		}
		return format, nil
	}
	return "", errUnknownContent
}

// zipContent accepts a zip holding at least one whole FIT, TCX or GPX file.
// A zip still being written has no central directory yet and fails to open.
func zipContent(b []byte) (string, error) {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return "", fmt.Errorf("zip: %w", err)
	}
	var firstErr error
	for _, f := range zr.File {
		if f.FileInfo().IsDir() || strings.HasPrefix(f.Name, "__MACOSX/") || strings.HasPrefix(path.Base(f.Name), ".") {
			continue
		}
		if f.UncompressedSize64 > maxInflated {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			firstErr = cmpErr(firstErr, fmt.Errorf("zip member %s: %w", f.Name, err))
			continue
		}
		inner, err := io.ReadAll(io.LimitReader(rc, maxInflated+1)) // reading to the end checks the member's CRC-32
		rc.Close()
		if err != nil {
			firstErr = cmpErr(firstErr, fmt.Errorf("zip member %s: %w", f.Name, err))
			continue
		}
		format, err := plainContent(inner)
		if err == nil {
			return format, nil
		}
		if !errors.Is(err, errUnknownContent) {
			firstErr = cmpErr(firstErr, fmt.Errorf("zip member %s: %w", f.Name, err))
		}
	}
	if firstErr != nil {
		return "", firstErr
	}
	return "", errors.New("zip holds no FIT, TCX or GPX file")
}

func cmpErr(first, next error) error {
	if first != nil {
		return first
	}
	return next
}
