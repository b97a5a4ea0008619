package folder

import (
	"encoding/binary"
	"errors"
	"time"
)

// fitEpoch is the FIT time origin, 1989-12-31T00:00:00Z.
var fitEpoch = time.Date(1989, 12, 31, 0, 0, 0, 0, time.UTC)

const (
	mesgFileID = 0
	mesgRecord = 20

	fieldTimestamp = 253
)

// fitHead is what a tolerant walk over a FIT file's messages learns. It reads
// cut-off files (a crashed recording) up to their last whole message.
type fitHead struct {
	FileType     int // file_id.type; -1 when unknown (4 = activity)
	Manufacturer int // file_id.manufacturer; -1 when unknown
	Created      time.Time
	First, Last  time.Time // first and last record timestamps
	Records      int
	HeaderSize   int
	// End is the offset just past the last whole message.
	End int
}

// Start is the moment the recording began: its first record, or, in a file
// without records yet, the file_id creation time.
func (h fitHead) Start() time.Time {
	if !h.First.IsZero() {
		return h.First
	}
	return h.Created
}

type fitField struct{ num, size byte }

type fitDef struct {
	global  uint16
	big     bool
	fields  []fitField
	devSize int
	size    int
}

// walkFIT reads message headers and a few fields (file_id, timestamps) without
// trusting the file to be complete. With headOnly it stops at the first record.
func walkFIT(b []byte, headOnly bool) (fitHead, error) {
	h := fitHead{FileType: -1, Manufacturer: -1}
	if !isFITHeader(b) {
		return h, errors.New("not a FIT file")
	}
	hs := int(b[0])
	if len(b) < hs {
		return h, errors.New("file ends inside its header")
	}
	h.HeaderSize, h.End = hs, hs
	// Walk to the end the header announces when the file is exactly that long
	// (the CRC follows); a recording still open often has a stale or zero size,
	// so then walk to the last byte and stop at the first message that is cut off.
	end := len(b)
	if ds := int(binary.LittleEndian.Uint32(b[4:8])); ds > 0 && hs+ds+2 <= len(b) {
		end = hs + ds
	}
	var (
		defs   [16]*fitDef
		lastTS uint32
		haveTS bool
	)
	for off := hs; off < end; {
		hdr := b[off]
		switch {
		case hdr&0x80 != 0: // compressed timestamp header
			d := defs[hdr>>5&0x03]
			if d == nil || off+1+d.size > end {
				return h, nil
			}
			if haveTS {
				ts := lastTS&^0x1F | uint32(hdr&0x1F)
				if ts < lastTS {
					ts += 0x20
				}
				lastTS = ts
			}
			h.message(d, b[off+1:off+1+d.size], haveTS, lastTS)
			off += 1 + d.size
		case hdr&0x40 != 0: // definition message
			if off+6 > end {
				return h, nil
			}
			d := &fitDef{big: b[off+2] == 1}
			if d.big {
				d.global = binary.BigEndian.Uint16(b[off+3:])
			} else {
				d.global = binary.LittleEndian.Uint16(b[off+3:])
			}
			n := int(b[off+5])
			p := off + 6
			if p+3*n > end {
				return h, nil
			}
			for i := range n {
				f := fitField{num: b[p+3*i], size: b[p+3*i+1]}
				d.fields = append(d.fields, f)
				d.size += int(f.size)
			}
			p += 3 * n
			if hdr&0x20 != 0 { // developer fields follow
				if p+1 > end {
					return h, nil
				}
				nd := int(b[p])
				p++
				if p+3*nd > end {
					return h, nil
				}
				for i := range nd {
					d.devSize += int(b[p+3*i+1])
				}
				p += 3 * nd
				d.size += d.devSize
			}
			defs[hdr&0x0F] = d
			off = p
		default: // data message
			d := defs[hdr&0x0F]
			if d == nil || off+1+d.size > end {
				return h, nil
			}
			if ts, ok := d.uint32(b[off+1:], fieldTimestamp); ok && ts != 0xFFFFFFFF {
				lastTS, haveTS = ts, true
			}
			h.message(d, b[off+1:off+1+d.size], haveTS, lastTS)
			off += 1 + d.size
		}
		h.End = off
		if headOnly && h.Records > 0 {
			return h, nil
		}
	}
	return h, nil
}

func (h *fitHead) message(d *fitDef, data []byte, haveTS bool, ts uint32) {
	switch d.global {
	case mesgFileID:
		if v, ok := d.field(data, 0); ok && len(v) >= 1 && v[0] != 0xFF {
			h.FileType = int(v[0])
		}
		if v, ok := d.uint16(data, 1); ok && v != 0xFFFF {
			h.Manufacturer = int(v)
		}
		if v, ok := d.uint32(data, 4); ok {
			h.Created = fitTime(v)
		}
	case mesgRecord:
		h.Records++
		if t := fitTime(ts); haveTS && !t.IsZero() {
			if h.First.IsZero() {
				h.First = t
			}
			h.Last = t
		}
	}
}

// fitTime converts a FIT date_time; values below 0x10000000 are seconds since
// the device powered on, not a date, and give the zero time.
func fitTime(v uint32) time.Time {
	if v < 0x10000000 || v == 0xFFFFFFFF {
		return time.Time{}
	}
	return fitEpoch.Add(time.Duration(v) * time.Second)
}

func (d *fitDef) field(data []byte, num byte) ([]byte, bool) {
	p := 0
	for _, f := range d.fields {
		if f.num == num {
			if p+int(f.size) > len(data) {
				return nil, false
			}
			return data[p : p+int(f.size)], true
		}
		p += int(f.size)
	}
	return nil, false
}

func (d *fitDef) uint16(data []byte, num byte) (uint16, bool) {
	v, ok := d.field(data, num)
	if !ok || len(v) != 2 {
		return 0, false
	}
	if d.big {
		return binary.BigEndian.Uint16(v), true
	}
	return binary.LittleEndian.Uint16(v), true
}

func (d *fitDef) uint32(data []byte, num byte) (uint32, bool) {
	v, ok := d.field(data, num)
	if !ok || len(v) != 4 {
		return 0, false
	}
	if d.big {
		return binary.BigEndian.Uint32(v), true
	}
	return binary.LittleEndian.Uint32(v), true
}

// sealFIT turns the whole messages of a cut-off FIT recording into a valid
// file: data size rewritten, header CRC (14-byte headers) and file CRC set.
func sealFIT(b []byte, h fitHead) []byte {
	hs := h.HeaderSize
	out := make([]byte, h.End, h.End+2)
	copy(out, b[:h.End])
	binary.LittleEndian.PutUint32(out[4:8], uint32(h.End-hs))
	if hs >= 14 {
		binary.LittleEndian.PutUint16(out[12:14], fitCRC(out[:12]))
	}
	return binary.LittleEndian.AppendUint16(out, fitCRC(out))
}
